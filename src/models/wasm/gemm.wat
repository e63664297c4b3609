;; Float32 matrix product with WebAssembly SIMD for the neural layers (src/models/neural/gemm.ts):
;;
;;   C[i][j] += Σ_p A(i, p) · B[p][j]      i < m, j < n, p < k
;;
;; B and C are row-major with leading dimensions ldb and ldc; A is read through two strides,
;; A(i, p) = a[i·sai + p·sap], so one kernel serves both X·W (sai = k, sap = 1) and Xᵀ·dY
;; (sai = 1, sap = rows) without transposing A. Strides are in elements, addresses in bytes.
;;
;; The inner block is 4 rows × 8 columns of C held in eight f32x4 registers while p runs over
;; k: each step loads two vectors of one B row and four A values (splatted), so every B load
;; feeds four rows and C is read and written once per block instead of once per p. Rows past the
;; last multiple of 4 use a 1 × 8 block; columns past the last multiple of 8 a scalar loop.
;; Products and sums are float32 in p order per lane (never fused), so a result differs from a
;; float32 scalar loop only where that loop skipped a term or summed in another order.
;;
;; The module also holds the weighted bag pooling of the user tower (bagPool, bagScatter below),
;; so both run on the one scratch memory.
;;
;; Built into gemm.wasm.ts by `npm run build:wasm`.
(module
  (memory (export "memory") 1)

  ;; Scalar C[i][j] += Σ_p A(i,p)·B[p][j] for rows [i0, i1) and columns [j0, j1); byte strides.
  (func $scalar (param $i0 i32) (param $i1 i32) (param $j0 i32) (param $j1 i32) (param $k i32)
    (param $a i32) (param $sai i32) (param $sap i32) (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32)
    (local $i i32) (local $j i32) (local $p i32) (local $ap i32) (local $bp i32) (local $cp i32) (local $s f32)
    (local.set $i (local.get $i0))
    (block $rows_done
      (loop $row
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $i1)))
        (local.set $j (local.get $j0))
        (block $cols_done
          (loop $col
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $j1)))
            (local.set $cp (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc))) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $s (f32.load (local.get $cp)))
            (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sai))))
            (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $p (i32.const 0))
            (block $p_done
              (loop $pl
                (br_if $p_done (i32.ge_u (local.get $p) (local.get $k)))
                (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $ap)) (f32.load (local.get $bp)))))
                (local.set $ap (i32.add (local.get $ap) (local.get $sap)))
                (local.set $bp (i32.add (local.get $bp) (local.get $ldb)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $pl)))
            (f32.store (local.get $cp) (local.get $s))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $col)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $row))))

  (func (export "gemm") (param $m i32) (param $n i32) (param $k i32)
    (param $a i32) (param $sai i32) (param $sap i32) (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32)
    (local $n8 i32) (local $i i32) (local $j i32) (local $p i32)
    (local $ap i32) (local $bp i32) (local $cp i32) (local $sai2 i32) (local $sai3 i32)
    (local $x v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $sai (i32.shl (local.get $sai) (i32.const 2)))
    (local.set $sap (i32.shl (local.get $sap) (i32.const 2)))
    (local.set $ldb (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $ldc) (i32.const 2)))
    (local.set $sai2 (i32.shl (local.get $sai) (i32.const 1)))
    (local.set $sai3 (i32.add (local.get $sai2) (local.get $sai)))
    (local.set $n8 (i32.and (local.get $n) (i32.const -8)))
    ;; Blocks of four rows.
    (block $rows4_done
      (loop $rows4
        (br_if $rows4_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $m)))
        (local.set $j (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $j) (local.get $n8)))
            (local.set $cp (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc))) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $c00 (v128.load (local.get $cp)))
            (local.set $c01 (v128.load offset=16 (local.get $cp)))
            (local.set $c10 (v128.load (i32.add (local.get $cp) (local.get $ldc))))
            (local.set $c11 (v128.load offset=16 (i32.add (local.get $cp) (local.get $ldc))))
            (local.set $c20 (v128.load (i32.add (local.get $cp) (i32.shl (local.get $ldc) (i32.const 1)))))
            (local.set $c21 (v128.load offset=16 (i32.add (local.get $cp) (i32.shl (local.get $ldc) (i32.const 1)))))
            (local.set $c30 (v128.load (i32.add (local.get $cp) (i32.mul (local.get $ldc) (i32.const 3)))))
            (local.set $c31 (v128.load offset=16 (i32.add (local.get $cp) (i32.mul (local.get $ldc) (i32.const 3)))))
            (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sai))))
            (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $p (i32.const 0))
            (block $p_done
              (loop $pl
                (br_if $p_done (i32.ge_u (local.get $p) (local.get $k)))
                (local.set $b0 (v128.load (local.get $bp)))
                (local.set $b1 (v128.load offset=16 (local.get $bp)))
                (local.set $x (v128.load32_splat (local.get $ap)))
                (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
                (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
                (local.set $x (v128.load32_splat (i32.add (local.get $ap) (local.get $sai))))
                (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
                (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
                (local.set $x (v128.load32_splat (i32.add (local.get $ap) (local.get $sai2))))
                (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
                (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
                (local.set $x (v128.load32_splat (i32.add (local.get $ap) (local.get $sai3))))
                (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
                (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
                (local.set $ap (i32.add (local.get $ap) (local.get $sap)))
                (local.set $bp (i32.add (local.get $bp) (local.get $ldb)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $pl)))
            (v128.store (local.get $cp) (local.get $c00))
            (v128.store offset=16 (local.get $cp) (local.get $c01))
            (v128.store (i32.add (local.get $cp) (local.get $ldc)) (local.get $c10))
            (v128.store offset=16 (i32.add (local.get $cp) (local.get $ldc)) (local.get $c11))
            (v128.store (i32.add (local.get $cp) (i32.shl (local.get $ldc) (i32.const 1))) (local.get $c20))
            (v128.store offset=16 (i32.add (local.get $cp) (i32.shl (local.get $ldc) (i32.const 1))) (local.get $c21))
            (v128.store (i32.add (local.get $cp) (i32.mul (local.get $ldc) (i32.const 3))) (local.get $c30))
            (v128.store offset=16 (i32.add (local.get $cp) (i32.mul (local.get $ldc) (i32.const 3))) (local.get $c31))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $cols)))
        (call $scalar (local.get $i) (i32.add (local.get $i) (i32.const 4)) (local.get $n8) (local.get $n) (local.get $k)
          (local.get $a) (local.get $sai) (local.get $sap) (local.get $b) (local.get $ldb) (local.get $c) (local.get $ldc))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows4)))
    ;; The last m mod 4 rows, one at a time.
    (block $rows1_done
      (loop $rows1
        (br_if $rows1_done (i32.ge_u (local.get $i) (local.get $m)))
        (local.set $j (i32.const 0))
        (block $cols1_done
          (loop $cols1
            (br_if $cols1_done (i32.ge_u (local.get $j) (local.get $n8)))
            (local.set $cp (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc))) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $c00 (v128.load (local.get $cp)))
            (local.set $c01 (v128.load offset=16 (local.get $cp)))
            (local.set $ap (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sai))))
            (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $p (i32.const 0))
            (block $p1_done
              (loop $p1
                (br_if $p1_done (i32.ge_u (local.get $p) (local.get $k)))
                (local.set $x (v128.load32_splat (local.get $ap)))
                (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (v128.load (local.get $bp)))))
                (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (v128.load offset=16 (local.get $bp)))))
                (local.set $ap (i32.add (local.get $ap) (local.get $sap)))
                (local.set $bp (i32.add (local.get $bp) (local.get $ldb)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $p1)))
            (v128.store (local.get $cp) (local.get $c00))
            (v128.store offset=16 (local.get $cp) (local.get $c01))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $cols1)))
        (call $scalar (local.get $i) (i32.add (local.get $i) (i32.const 1)) (local.get $n8) (local.get $n) (local.get $k)
          (local.get $a) (local.get $sai) (local.get $sap) (local.get $b) (local.get $ldb) (local.get $c) (local.get $ldc))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows1))))
  ;; dst[0..dim) += w · src[0..dim), four lanes at a time, then one at a time.
  (func $axpy (param $dst i32) (param $src i32) (param $w f32) (param $dim i32)
    (local $end i32) (local $end4 i32) (local $wv v128)
    (local.set $wv (f32x4.splat (local.get $w)))
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $dim) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $dst) (i32.shl (i32.and (local.get $dim) (i32.const -4)) (i32.const 2))))
    (block $v_done
      (loop $v
        (br_if $v_done (i32.ge_u (local.get $dst) (local.get $end4)))
        (v128.store (local.get $dst)
          (f32x4.add (v128.load (local.get $dst)) (f32x4.mul (local.get $wv) (v128.load (local.get $src)))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (br $v)))
    (block $s_done
      (loop $s
        (br_if $s_done (i32.ge_u (local.get $dst) (local.get $end)))
        (f32.store (local.get $dst)
          (f32.add (f32.load (local.get $dst)) (f32.mul (local.get $w) (f32.load (local.get $src)))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (br $s))))

  ;; For each bag b < count and entry e in [ptr[b], ptr[b+1]): out[b] += weights[e] · table[items[e]]
  ;; (rows of dim floats) when $scatter is 0; table[items[e]] += weights[e] · out[b] when it is 1.
  ;; ptr and items are int32, weights float32; byte offsets.
  (func (export "bag") (param $count i32) (param $dim i32) (param $ptr i32) (param $items i32) (param $weights i32)
    (param $table i32) (param $out i32) (param $scatter i32)
    (local $b i32) (local $e i32) (local $end i32) (local $row i32) (local $bag i32) (local $w f32) (local $bytes i32)
    (local.set $bytes (i32.shl (local.get $dim) (i32.const 2)))
    (block $bags_done
      (loop $bags
        (br_if $bags_done (i32.ge_u (local.get $b) (local.get $count)))
        (local.set $e (i32.load (i32.add (local.get $ptr) (i32.shl (local.get $b) (i32.const 2)))))
        (local.set $end (i32.load offset=4 (i32.add (local.get $ptr) (i32.shl (local.get $b) (i32.const 2)))))
        (local.set $bag (i32.add (local.get $out) (i32.mul (local.get $b) (local.get $bytes))))
        (block $entries_done
          (loop $entries
            (br_if $entries_done (i32.ge_s (local.get $e) (local.get $end)))
            (local.set $w (f32.load (i32.add (local.get $weights) (i32.shl (local.get $e) (i32.const 2)))))
            (if (f32.ne (local.get $w) (f32.const 0))
              (then
                (local.set $row (i32.add (local.get $table)
                  (i32.mul (i32.load (i32.add (local.get $items) (i32.shl (local.get $e) (i32.const 2)))) (local.get $bytes))))
                (if (local.get $scatter)
                  (then (call $axpy (local.get $row) (local.get $bag) (local.get $w) (local.get $dim)))
                  (else (call $axpy (local.get $bag) (local.get $row) (local.get $w) (local.get $dim))))))
            (local.set $e (i32.add (local.get $e) (i32.const 1)))
            (br $entries)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $bags))))
)
