#include "textflag.h"

// The kernels below compute dot products of weight rows with input rows
// using AVX2 and FMA. Every dot product, whichever kernel computes it, is
// the same instruction sequence: eight lane sums accumulated by FMA over
// the inner dimension in order, 8 floats at a time, then reduced by HSUM.
// So an output element does not depend on which rows were batched beside
// it, and a sequence decodes to the same tokens alone or in a batch.
//
// Each loop prefetches the weights 2 KiB ahead: a decode step streams
// weights larger than the caches (lm-large's 50 MB) from memory, and
// without the prefetch a batch of 8 rows took 1.4 times as long as one
// row over the same weights; with it, about as long (the point of
// batching).

// HSUM reduces the eight lanes of Y into lane 0 of X (X is Y's low half):
// (l0+l4 + l2+l6) + (l1+l5 + l3+l7), as every kernel does.
#define HSUM(Y, X) \
	VEXTRACTF128 $1, Y, X15; \
	VADDPS       X15, X, X; \
	VMOVHLPS     X, X15, X15; \
	VADDPS       X15, X, X; \
	VMOVSHDUP    X, X15; \
	VADDSS       X15, X, X

// Arguments shared by the kernels:
// w: the first of two weight rows, ldw floats apart (0 repeats the row);
// x: the first input row, ldx floats apart; n: the inner dimension, a
// positive multiple of 8; y: where the dot of weight row jj and input row
// rr goes, at y[jj*ldyj + rr*ldyr].
#define PROLOGUE \
	MOVQ w+0(FP), SI; \
	MOVQ ldw+8(FP), BX; \
	SHLQ $2, BX; \
	LEAQ (SI)(BX*1), DI; \
	MOVQ x+16(FP), R8; \
	MOVQ ldx+24(FP), DX; \
	SHLQ $2, DX; \
	MOVQ n+32(FP), CX; \
	SHRQ $3, CX; \
	MOVQ y+40(FP), R12; \
	MOVQ ldyj+48(FP), R13; \
	SHLQ $2, R13; \
	LEAQ (R12)(R13*1), R13; \
	MOVQ ldyr+56(FP), R14; \
	SHLQ $2, R14; \
	XORQ AX, AX

// func dot2x4(w *float32, ldw int, x *float32, ldx int, n int, y *float32, ldyj, ldyr int)
TEXT ·dot2x4(SB), NOSPLIT, $0-64
	PROLOGUE
	LEAQ (R8)(DX*1), R9
	LEAQ (R9)(DX*1), R10
	LEAQ (R10)(DX*1), R11
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7

loop4:
	PREFETCHT0  2048(SI)(AX*1)
	PREFETCHT0  2048(DI)(AX*1)
	VMOVUPS     (SI)(AX*1), Y8
	VMOVUPS     (DI)(AX*1), Y9
	VMOVUPS     (R8)(AX*1), Y10
	VFMADD231PS Y10, Y8, Y0
	VFMADD231PS Y10, Y9, Y1
	VMOVUPS     (R9)(AX*1), Y11
	VFMADD231PS Y11, Y8, Y2
	VFMADD231PS Y11, Y9, Y3
	VMOVUPS     (R10)(AX*1), Y12
	VFMADD231PS Y12, Y8, Y4
	VFMADD231PS Y12, Y9, Y5
	VMOVUPS     (R11)(AX*1), Y13
	VFMADD231PS Y13, Y8, Y6
	VFMADD231PS Y13, Y9, Y7
	ADDQ        $32, AX
	DECQ        CX
	JNZ         loop4

	HSUM(Y0, X0)
	HSUM(Y1, X1)
	HSUM(Y2, X2)
	HSUM(Y3, X3)
	HSUM(Y4, X4)
	HSUM(Y5, X5)
	HSUM(Y6, X6)
	HSUM(Y7, X7)
	VMOVSS X0, (R12)
	VMOVSS X1, (R13)
	ADDQ   R14, R12
	ADDQ   R14, R13
	VMOVSS X2, (R12)
	VMOVSS X3, (R13)
	ADDQ   R14, R12
	ADDQ   R14, R13
	VMOVSS X4, (R12)
	VMOVSS X5, (R13)
	ADDQ   R14, R12
	ADDQ   R14, R13
	VMOVSS X6, (R12)
	VMOVSS X7, (R13)
	VZEROUPPER
	RET

// func dot2x2(w *float32, ldw int, x *float32, ldx int, n int, y *float32, ldyj, ldyr int)
TEXT ·dot2x2(SB), NOSPLIT, $0-64
	PROLOGUE
	LEAQ (R8)(DX*1), R9
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3

loop2:
	PREFETCHT0  2048(SI)(AX*1)
	PREFETCHT0  2048(DI)(AX*1)
	VMOVUPS     (SI)(AX*1), Y8
	VMOVUPS     (DI)(AX*1), Y9
	VMOVUPS     (R8)(AX*1), Y10
	VFMADD231PS Y10, Y8, Y0
	VFMADD231PS Y10, Y9, Y1
	VMOVUPS     (R9)(AX*1), Y11
	VFMADD231PS Y11, Y8, Y2
	VFMADD231PS Y11, Y9, Y3
	ADDQ        $32, AX
	DECQ        CX
	JNZ         loop2

	HSUM(Y0, X0)
	HSUM(Y1, X1)
	HSUM(Y2, X2)
	HSUM(Y3, X3)
	VMOVSS X0, (R12)
	VMOVSS X1, (R13)
	ADDQ   R14, R12
	ADDQ   R14, R13
	VMOVSS X2, (R12)
	VMOVSS X3, (R13)
	VZEROUPPER
	RET

// func dot2x1(w *float32, ldw int, x *float32, ldx int, n int, y *float32, ldyj, ldyr int)
TEXT ·dot2x1(SB), NOSPLIT, $0-64
	PROLOGUE
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1

loop1:
	PREFETCHT0  2048(SI)(AX*1)
	PREFETCHT0  2048(DI)(AX*1)
	VMOVUPS     (SI)(AX*1), Y8
	VMOVUPS     (DI)(AX*1), Y9
	VMOVUPS     (R8)(AX*1), Y10
	VFMADD231PS Y10, Y8, Y0
	VFMADD231PS Y10, Y9, Y1
	ADDQ        $32, AX
	DECQ        CX
	JNZ         loop1

	HSUM(Y0, X0)
	HSUM(Y1, X1)
	VMOVSS X0, (R12)
	VMOVSS X1, (R13)
	VZEROUPPER
	RET

// func scoreRow(q *float32, kT *float32, ldk int, dh int, npos int, out *float32)
// out[p] = Σ_c q[c]·kT[c*ldk+p] for p < npos (a positive multiple of 8),
// c in order, one FMA per term: the scores of one query against keys
// stored transposed (see attendHead). Positions are taken 32 at a time
// (four accumulators, so that four FMA chains overlap), then 8 at a time;
// either way each score is the same sequence of FMAs.
TEXT ·scoreRow(SB), NOSPLIT, $0-48
	MOVQ q+0(FP), SI
	MOVQ kT+8(FP), DI
	MOVQ ldk+16(FP), BX
	SHLQ $2, BX
	MOVQ dh+24(FP), DX
	MOVQ npos+32(FP), CX
	MOVQ out+40(FP), R12

wide:
	CMPQ CX, $32
	JLT  narrow
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	MOVQ   SI, R8  // q[c]
	MOVQ   DI, R9  // kT[c*ldk + p]
	MOVQ   DX, R10 // c left

wideLoop:
	VBROADCASTSS (R8), Y8
	VFMADD231PS  (R9), Y8, Y0
	VFMADD231PS  32(R9), Y8, Y1
	VFMADD231PS  64(R9), Y8, Y2
	VFMADD231PS  96(R9), Y8, Y3
	ADDQ         $4, R8
	ADDQ         BX, R9
	DECQ         R10
	JNZ          wideLoop
	VMOVUPS Y0, (R12)
	VMOVUPS Y1, 32(R12)
	VMOVUPS Y2, 64(R12)
	VMOVUPS Y3, 96(R12)
	ADDQ    $128, DI
	ADDQ    $128, R12
	SUBQ    $32, CX
	JMP     wide

narrow:
	CMPQ CX, $8
	JLT  done
	VXORPS Y0, Y0, Y0
	MOVQ   SI, R8
	MOVQ   DI, R9
	MOVQ   DX, R10

narrowLoop:
	VBROADCASTSS (R8), Y8
	VFMADD231PS  (R9), Y8, Y0
	ADDQ         $4, R8
	ADDQ         BX, R9
	DECQ         R10
	JNZ          narrowLoop
	VMOVUPS Y0, (R12)
	ADDQ    $32, DI
	ADDQ    $32, R12
	SUBQ    $8, CX
	JMP     narrow

done:
	VZEROUPPER
	RET
