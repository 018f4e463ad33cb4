package main

import (
	"runtime"
	"sync/atomic"
)

func atomicAdd(p *uint64) { atomic.AddUint64(p, 1) }

func runtimeGosched() { runtime.Gosched() }
