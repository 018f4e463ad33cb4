// The assembly's waits end after their budget of pauses when nobody answers.
package main

import "testing"

func TestCppLoopWaitsGiveUp(t *testing.T) {
	var flag paddedWord
	if next, left := cppRoundTrips(&flag.v, 0, 5, 100); next != 2 || left != 5 || flag.v != 1 {
		t.Errorf("no answerer: next %d, left %d, flag %d; want 2, 5, 1", next, left, flag.v)
	}
	if cppAwait(&flag.v, 2, 100) {
		t.Error("cppAwait saw a ball that was never returned")
	}
	flag.v = 2
	if !cppAwait(&flag.v, 2, 100) {
		t.Error("cppAwait missed the ball")
	}
	if cppAnswer(&flag.v, 100) {
		t.Error("cppAnswer stopped without the stop value")
	}
	flag.v = pingpongStop
	if !cppAnswer(&flag.v, 100) {
		t.Error("cppAnswer did not stop")
	}
	flag.v = 5
	if cppAnswer(&flag.v, 100) || flag.v != 6 {
		t.Errorf("cppAnswer did not return ball 5 (flag %d)", flag.v)
	}
}
