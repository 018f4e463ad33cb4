// The placement probe's ping-pong on amd64, as g++ -O3 compiles benchmarks/pingpong.hpp: the
// release store is a plain MOV (x86 stores are not reordered with earlier loads or stores), the
// acquire load a plain MOV, and each wait runs PAUSE between loads (Backoff::cpu_relax). What
// the C++ loop has not: a count of pauses per wait (DX), so that a wait returns to Go after
// `budget` pauses (probe_loop.go says why); it runs beside the PAUSE, not between the store and
// the load that move the line.

#include "textflag.h"

// func cppRoundTrips(flag *uint64, n uint64, rounds int, budget uint64) (next uint64, left int)
TEXT ·cppRoundTrips(SB), NOSPLIT, $0-48
	MOVQ flag+0(FP), DI
	MOVQ n+8(FP), AX
	MOVQ rounds+16(FP), CX
	MOVQ budget+24(FP), R8
trip:
	TESTQ CX, CX
	JLE done
	LEAQ 1(AX), BX
	MOVQ BX, (DI)        // flag.store(n + 1, release)
	ADDQ $2, AX          // the answer awaited: n + 2
	MOVQ R8, DX
wait:
	MOVQ (DI), BX        // flag.load(acquire)
	CMPQ BX, AX
	JEQ answered
	PAUSE                // Backoff::cpu_relax()
	DECQ DX
	JNZ wait
	MOVQ AX, next+32(FP) // out of budget: still awaited, this round included in left
	MOVQ CX, left+40(FP)
	RET
answered:
	DECQ CX
	JMP trip
done:
	MOVQ AX, next+32(FP)
	MOVQ $0, left+40(FP)
	RET

// func cppAwait(flag *uint64, want uint64, budget uint64) bool
TEXT ·cppAwait(SB), NOSPLIT, $0-25
	MOVQ flag+0(FP), DI
	MOVQ want+8(FP), AX
	MOVQ budget+16(FP), DX
await:
	MOVQ (DI), BX
	CMPQ BX, AX
	JEQ seen
	PAUSE
	DECQ DX
	JNZ await
	MOVB $0, ret+24(FP)
	RET
seen:
	MOVB $1, ret+24(FP)
	RET

// func cppAnswer(flag *uint64, budget uint64) bool
TEXT ·cppAnswer(SB), NOSPLIT, $0-17
	MOVQ flag+0(FP), DI
	MOVQ budget+8(FP), R8
ball:
	MOVQ R8, DX
spin:
	MOVQ (DI), AX        // seen = flag.load(acquire)
	TESTQ $1, AX
	JNZ odd              // odd: the ball is here
	PAUSE                // Backoff::cpu_relax()
	DECQ DX
	JNZ spin
	MOVB $0, ret+16(FP)  // out of budget
	RET
odd:
	CMPQ AX, $-1         // pingpong_stop
	JEQ stop
	INCQ AX
	MOVQ AX, (DI)        // flag.store(seen + 1, release)
	JMP ball
stop:
	MOVB $1, ret+16(FP)
	RET
