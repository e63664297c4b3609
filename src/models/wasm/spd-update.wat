;; The rank-b update at the heart of the blocked SPD inverse (dense-inverse.ts), with WebAssembly
;; SIMD: C[i, j] -= Σ_t A[t, i] · B[t, j] over tiles of 4 rows × 4 columns of C.
;;
;; A and B are "t-major" panels (row t holds one value per row/column of C), which is how the
;; inverse keeps them: B is the pivot block's rows, A the same rows multiplied by the pivot
;; block's inverse. For each t the kernel loads four columns of B (two f64x2), broadcasts the
;; four rows' A values, and multiplies-adds into eight f64x2 accumulators that stay in registers
;; for the whole reduction; C is read and written once per tile. WebAssembly has no fused
;; multiply-add in its base SIMD, so products and sums round separately (as scalar JS would).
;;
;; The memory is imported and shared, so worker threads can run the same kernel on disjoint row
;; tiles of one matrix. Byte offsets are unsigned 32-bit (a matrix may use most of the 4 GiB).
;;
;; Built into spd-update.wasm.ts by `npm run build:wasm`; test/models/wasm checks that the
;; committed bytes are what this file assembles to.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; tiles: row tiles (4 rows each) to update; sa, sc: bytes from one tile's A / C to the next
  ;; (lets a caller take every T-th tile); cols: columns of C (a multiple of 4); kr: length of
  ;; the reduction; a, b, c: byte offsets of the first tile's A, of B and of the first tile's C;
  ;; lda, ldb, ldc: bytes between consecutive rows of A, B and C.
  (func (export "gemmSub")
    (param $tiles i32) (param $sa i32) (param $sc i32) (param $cols i32) (param $kr i32)
    (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32)
    (local $r i32) (local $j i32) (local $t i32) (local $pa i32) (local $pb i32) (local $pc i32)
    (local $colBytes i32)
    (local $x v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $colBytes (i32.shl (local.get $cols) (i32.const 3)))
    (block $tiles_done
      (loop $tile
        (br_if $tiles_done (i32.ge_u (local.get $r) (local.get $tiles)))
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $col
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $colBytes)))
            (local.set $c00 (f64x2.splat (f64.const 0)))
            (local.set $c01 (f64x2.splat (f64.const 0)))
            (local.set $c10 (f64x2.splat (f64.const 0)))
            (local.set $c11 (f64x2.splat (f64.const 0)))
            (local.set $c20 (f64x2.splat (f64.const 0)))
            (local.set $c21 (f64x2.splat (f64.const 0)))
            (local.set $c30 (f64x2.splat (f64.const 0)))
            (local.set $c31 (f64x2.splat (f64.const 0)))
            (local.set $pa (local.get $a))
            (local.set $pb (i32.add (local.get $b) (local.get $j)))
            (local.set $t (local.get $kr))
            (block $k_done
              (loop $k
                (br_if $k_done (i32.eqz (local.get $t)))
                (local.set $b0 (v128.load (local.get $pb)))
                (local.set $b1 (v128.load offset=16 (local.get $pb)))
                (local.set $x (v128.load64_splat (local.get $pa)))
                (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $x) (local.get $b0))))
                (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $x) (local.get $b1))))
                (local.set $x (v128.load64_splat offset=8 (local.get $pa)))
                (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $x) (local.get $b0))))
                (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $x) (local.get $b1))))
                (local.set $x (v128.load64_splat offset=16 (local.get $pa)))
                (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $x) (local.get $b0))))
                (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $x) (local.get $b1))))
                (local.set $x (v128.load64_splat offset=24 (local.get $pa)))
                (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $x) (local.get $b0))))
                (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $x) (local.get $b1))))
                (local.set $pa (i32.add (local.get $pa) (local.get $lda)))
                (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
                (local.set $t (i32.sub (local.get $t) (i32.const 1)))
                (br $k)))
            (local.set $pc (i32.add (local.get $c) (local.get $j)))
            (v128.store (local.get $pc) (f64x2.sub (v128.load (local.get $pc)) (local.get $c00)))
            (v128.store offset=16 (local.get $pc) (f64x2.sub (v128.load offset=16 (local.get $pc)) (local.get $c01)))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (v128.store (local.get $pc) (f64x2.sub (v128.load (local.get $pc)) (local.get $c10)))
            (v128.store offset=16 (local.get $pc) (f64x2.sub (v128.load offset=16 (local.get $pc)) (local.get $c11)))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (v128.store (local.get $pc) (f64x2.sub (v128.load (local.get $pc)) (local.get $c20)))
            (v128.store offset=16 (local.get $pc) (f64x2.sub (v128.load offset=16 (local.get $pc)) (local.get $c21)))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (v128.store (local.get $pc) (f64x2.sub (v128.load (local.get $pc)) (local.get $c30)))
            (v128.store offset=16 (local.get $pc) (f64x2.sub (v128.load offset=16 (local.get $pc)) (local.get $c31)))
            (local.set $j (i32.add (local.get $j) (i32.const 32)))
            (br $col)))
        (local.set $a (i32.add (local.get $a) (local.get $sa)))
        (local.set $c (i32.add (local.get $c) (local.get $sc)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $tile)))))
