//go:build !amd64

// The probe's loop elsewhere: the pure-Go one (probe_loop.go).
package main

var probeLoopUsed = goAtomicLoop
