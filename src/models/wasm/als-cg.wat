;; iALS training with WebAssembly SIMD (src/models/als/simd.ts): the conjugate-gradient row update
;; of Takács et al. 2011 (kernels.ts cgSolveRow is the scalar reference), the Gramian FᵀF, and
;; the per-row parts of the loss. Everything is float32 in f32x4 lanes; the loss sums in float64.
;;
;; Factor rows are kp floats (kp, a multiple of 8, is k padded with zeros; the padding stays zero
;; because every term that could fill it is zero). The CG matrix is A = α0·G + λI + Σ_e c_e y_e y_eᵀ
;; and is never formed: A·v is the dense k×k product plus one dot and one axpy per observed entry.
;; Four entries (or four rows of G) go side by side, so four dot products share each load of v
;; and their sums are independent chains; one shuffle tree (hsum4) then gives the four sums in
;; one vector. WebAssembly SIMD has no fused multiply-add, so products and sums round separately.
;;
;; The memory is imported and shared: worker threads run the same functions on disjoint rows.
;; Byte offsets are unsigned 32-bit. Built into als-cg.wasm.ts by `npm run build:wasm`;
;; test/models/wasm checks that the committed bytes are what this file assembles to.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Σ a[j]·b[j] over n floats (n a multiple of 8) at byte offsets a and b.
  (func $dot (param $a i32) (param $b i32) (param $n i32) (result f32)
    (local $end i32) (local $s0 v128) (local $s1 v128)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
        (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 32)))
        (local.set $b (i32.add (local.get $b) (i32.const 32)))
        (br $l)))
    (local.set $s0 (f32x4.add (local.get $s0) (local.get $s1)))
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $s0)) (f32x4.extract_lane 1 (local.get $s0)))
      (f32.add (f32x4.extract_lane 2 (local.get $s0)) (f32x4.extract_lane 3 (local.get $s0)))))

  ;; (Σ s0, Σ s1, Σ s2, Σ s3): the lane sums of four vectors in one.
  (func $hsum4 (param $s0 v128) (param $s1 v128) (param $s2 v128) (param $s3 v128) (result v128)
    (local $v01 v128) (local $v23 v128)
    (local.set $v01 (f32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s0) (local.get $s1))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s0) (local.get $s1))))
    (local.set $v23 (f32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s2) (local.get $s3))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s2) (local.get $s3))))
    (f32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $v01) (local.get $v23))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $v01) (local.get $v23))))

  ;; out = α0·G·v + λ·v (G kp×kp, symmetric, row-major), four rows of G at a time.
  (func $matvec (param $g i32) (param $v i32) (param $out i32) (param $kp i32) (param $alpha0 f32) (param $lambda f32)
    (local $row i32) (local $rowBytes i32) (local $j i32) (local $vj v128)
    (local $g0 i32) (local $g1 i32) (local $g2 i32) (local $g3 i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $rowBytes (i32.shl (local.get $kp) (i32.const 2)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $row) (local.get $kp)))
        (local.set $g0 (i32.add (local.get $g) (i32.mul (local.get $row) (local.get $rowBytes))))
        (local.set $g1 (i32.add (local.get $g0) (local.get $rowBytes)))
        (local.set $g2 (i32.add (local.get $g1) (local.get $rowBytes)))
        (local.set $g3 (i32.add (local.get $g2) (local.get $rowBytes)))
        (local.set $s0 (v128.const i32x4 0 0 0 0))
        (local.set $s1 (v128.const i32x4 0 0 0 0))
        (local.set $s2 (v128.const i32x4 0 0 0 0))
        (local.set $s3 (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $jd
          (loop $jl
            (br_if $jd (i32.ge_u (local.get $j) (local.get $rowBytes)))
            (local.set $vj (v128.load (i32.add (local.get $v) (local.get $j))))
            (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (v128.load (i32.add (local.get $g0) (local.get $j))) (local.get $vj))))
            (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (v128.load (i32.add (local.get $g1) (local.get $j))) (local.get $vj))))
            (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (v128.load (i32.add (local.get $g2) (local.get $j))) (local.get $vj))))
            (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (v128.load (i32.add (local.get $g3) (local.get $j))) (local.get $vj))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $jl)))
        (local.set $j (i32.shl (local.get $row) (i32.const 2)))
        (v128.store (i32.add (local.get $out) (local.get $j))
          (f32x4.add
            (f32x4.mul (f32x4.splat (local.get $alpha0)) (call $hsum4 (local.get $s0) (local.get $s1) (local.get $s2) (local.get $s3)))
            (f32x4.mul (f32x4.splat (local.get $lambda)) (v128.load (i32.add (local.get $v) (local.get $j))))))
        (local.set $row (i32.add (local.get $row) (i32.const 4)))
        (br $rows))))

  ;; Over the entries e in [start, end) (other-side row idx[e], weight conf[e]), adds to out
  ;; Σ c_e (y_e·v) y_e, or Σ c_e (1 − y_e·v) y_e when residual is 1.
  (func $sparse (param $other i32) (param $idx i32) (param $conf i32) (param $start i32) (param $end i32)
    (param $v i32) (param $out i32) (param $kp i32) (param $residual i32)
    (local $e i32) (local $rowBytes i32) (local $j i32) (local $vj v128) (local $pj i32)
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $c v128) (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128) (local $d f32)
    (local.set $rowBytes (i32.shl (local.get $kp) (i32.const 2)))
    (local.set $e (local.get $start))
    (block $fours_done
      (loop $fours
        (br_if $fours_done (i32.gt_u (i32.add (local.get $e) (i32.const 4)) (local.get $end)))
        (local.set $pj (i32.add (local.get $idx) (i32.shl (local.get $e) (i32.const 2))))
        (local.set $o0 (i32.add (local.get $other) (i32.mul (i32.load (local.get $pj)) (local.get $rowBytes))))
        (local.set $o1 (i32.add (local.get $other) (i32.mul (i32.load offset=4 (local.get $pj)) (local.get $rowBytes))))
        (local.set $o2 (i32.add (local.get $other) (i32.mul (i32.load offset=8 (local.get $pj)) (local.get $rowBytes))))
        (local.set $o3 (i32.add (local.get $other) (i32.mul (i32.load offset=12 (local.get $pj)) (local.get $rowBytes))))
        (local.set $s0 (v128.const i32x4 0 0 0 0))
        (local.set $s1 (v128.const i32x4 0 0 0 0))
        (local.set $s2 (v128.const i32x4 0 0 0 0))
        (local.set $s3 (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $dots_done
          (loop $dots
            (br_if $dots_done (i32.ge_u (local.get $j) (local.get $rowBytes)))
            (local.set $vj (v128.load (i32.add (local.get $v) (local.get $j))))
            (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (v128.load (i32.add (local.get $o0) (local.get $j))) (local.get $vj))))
            (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (v128.load (i32.add (local.get $o1) (local.get $j))) (local.get $vj))))
            (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (v128.load (i32.add (local.get $o2) (local.get $j))) (local.get $vj))))
            (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (v128.load (i32.add (local.get $o3) (local.get $j))) (local.get $vj))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $dots)))
        ;; c = conf·(y·v), or conf·(1 − y·v), for the four entries at once
        (local.set $c (call $hsum4 (local.get $s0) (local.get $s1) (local.get $s2) (local.get $s3)))
        (if (local.get $residual)
          (then (local.set $c (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $c)))))
        (local.set $c (f32x4.mul (v128.load (i32.add (local.get $conf) (i32.shl (local.get $e) (i32.const 2)))) (local.get $c)))
        (local.set $c0 (f32x4.splat (f32x4.extract_lane 0 (local.get $c))))
        (local.set $c1 (f32x4.splat (f32x4.extract_lane 1 (local.get $c))))
        (local.set $c2 (f32x4.splat (f32x4.extract_lane 2 (local.get $c))))
        (local.set $c3 (f32x4.splat (f32x4.extract_lane 3 (local.get $c))))
        (local.set $j (i32.const 0))
        (block $axpy_done
          (loop $axpy
            (br_if $axpy_done (i32.ge_u (local.get $j) (local.get $rowBytes)))
            (local.set $pj (i32.add (local.get $out) (local.get $j)))
            (v128.store (local.get $pj)
              (f32x4.add (v128.load (local.get $pj))
                (f32x4.add
                  (f32x4.add
                    (f32x4.mul (local.get $c0) (v128.load (i32.add (local.get $o0) (local.get $j))))
                    (f32x4.mul (local.get $c1) (v128.load (i32.add (local.get $o1) (local.get $j)))))
                  (f32x4.add
                    (f32x4.mul (local.get $c2) (v128.load (i32.add (local.get $o2) (local.get $j))))
                    (f32x4.mul (local.get $c3) (v128.load (i32.add (local.get $o3) (local.get $j))))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $axpy)))
        (local.set $e (i32.add (local.get $e) (i32.const 4)))
        (br $fours)))
    ;; the last entries, one at a time
    (block $ones_done
      (loop $ones
        (br_if $ones_done (i32.ge_u (local.get $e) (local.get $end)))
        (local.set $o0 (i32.add (local.get $other)
          (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $e) (i32.const 2)))) (local.get $rowBytes))))
        (local.set $d (call $dot (local.get $o0) (local.get $v) (local.get $kp)))
        (if (local.get $residual) (then (local.set $d (f32.sub (f32.const 1) (local.get $d)))))
        (local.set $c0 (f32x4.splat (f32.mul (f32.load (i32.add (local.get $conf) (i32.shl (local.get $e) (i32.const 2)))) (local.get $d))))
        (local.set $j (i32.const 0))
        (block $axpy1_done
          (loop $axpy1
            (br_if $axpy1_done (i32.ge_u (local.get $j) (local.get $rowBytes)))
            (local.set $pj (i32.add (local.get $out) (local.get $j)))
            (v128.store (local.get $pj)
              (f32x4.add (v128.load (local.get $pj)) (f32x4.mul (local.get $c0) (v128.load (i32.add (local.get $o0) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $axpy1)))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $ones))))

  ;; A few CG steps on A x = Σ_e c_e y_e, warm-started from the row x (overwritten in place);
  ;; r, p, ap: kp floats of scratch each. A row without entries becomes zero (its solution).
  (func $cgRow (param $x i32) (param $other i32) (param $g i32) (param $idx i32) (param $conf i32)
    (param $start i32) (param $end i32) (param $kp i32) (param $steps i32) (param $alpha0 f32) (param $lambda f32)
    (param $r i32) (param $p i32) (param $ap i32)
    (local $rowBytes i32) (local $j i32) (local $step i32) (local $t v128) (local $acc v128)
    (local $rr f32) (local $pap f32) (local $rrNew f32) (local $alpha v128) (local $beta v128)
    (local.set $rowBytes (i32.shl (local.get $kp) (i32.const 2)))
    (if (i32.eq (local.get $start) (local.get $end))
      (then (memory.fill (local.get $x) (i32.const 0) (local.get $rowBytes)) (return)))
    ;; r = b − A x = Σ c (1 − y·x) y − α0 G x − λ x
    (call $matvec (local.get $g) (local.get $x) (local.get $r) (local.get $kp) (local.get $alpha0) (local.get $lambda))
    (local.set $j (i32.const 0))
    (block $neg_done
      (loop $neg
        (br_if $neg_done (i32.ge_u (local.get $j) (local.get $rowBytes)))
        (v128.store (i32.add (local.get $r) (local.get $j)) (f32x4.neg (v128.load (i32.add (local.get $r) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $neg)))
    (call $sparse (local.get $other) (local.get $idx) (local.get $conf) (local.get $start) (local.get $end)
      (local.get $x) (local.get $r) (local.get $kp) (i32.const 1))
    (memory.copy (local.get $p) (local.get $r) (local.get $rowBytes))
    (local.set $rr (call $dot (local.get $r) (local.get $r) (local.get $kp)))
    (block $steps_done
      (loop $steps_loop
        (br_if $steps_done (i32.ge_u (local.get $step) (local.get $steps)))
        (br_if $steps_done (f32.lt (local.get $rr) (f32.const 1e-20)))
        (call $matvec (local.get $g) (local.get $p) (local.get $ap) (local.get $kp) (local.get $alpha0) (local.get $lambda))
        (call $sparse (local.get $other) (local.get $idx) (local.get $conf) (local.get $start) (local.get $end)
          (local.get $p) (local.get $ap) (local.get $kp) (i32.const 0))
        (local.set $pap (call $dot (local.get $p) (local.get $ap) (local.get $kp)))
        (br_if $steps_done (i32.eqz (f32.gt (local.get $pap) (f32.const 0))))
        ;; x += α p, r −= α Ap, rr' = r·r
        (local.set $alpha (f32x4.splat (f32.div (local.get $rr) (local.get $pap))))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $upd_done
          (loop $upd
            (br_if $upd_done (i32.ge_u (local.get $j) (local.get $rowBytes)))
            (v128.store (i32.add (local.get $x) (local.get $j))
              (f32x4.add (v128.load (i32.add (local.get $x) (local.get $j)))
                (f32x4.mul (local.get $alpha) (v128.load (i32.add (local.get $p) (local.get $j))))))
            (local.set $t (f32x4.sub (v128.load (i32.add (local.get $r) (local.get $j)))
              (f32x4.mul (local.get $alpha) (v128.load (i32.add (local.get $ap) (local.get $j))))))
            (v128.store (i32.add (local.get $r) (local.get $j)) (local.get $t))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $t) (local.get $t))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $upd)))
        (local.set $rrNew (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
          (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        ;; p = r + β p
        (local.set $beta (f32x4.splat (f32.div (local.get $rrNew) (local.get $rr))))
        (local.set $j (i32.const 0))
        (block $dir_done
          (loop $dir
            (br_if $dir_done (i32.ge_u (local.get $j) (local.get $rowBytes)))
            (v128.store (i32.add (local.get $p) (local.get $j))
              (f32x4.add (v128.load (i32.add (local.get $r) (local.get $j)))
                (f32x4.mul (local.get $beta) (v128.load (i32.add (local.get $p) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $dir)))
        (local.set $rr (local.get $rrNew))
        (local.set $step (i32.add (local.get $step) (i32.const 1)))
        (br $steps_loop))))

  ;; The CG update of rows [r0, r1) of `target` (row pointers indptr, other-side rows idx, weights
  ;; conf, one float32 λ per row in lambda) against the other side's factors and Gramian g;
  ;; scratch: 3·kp floats of this thread's own.
  (func (export "cgRows")
    (param $r0 i32) (param $r1 i32) (param $kp i32) (param $steps i32) (param $alpha0 f32)
    (param $target i32) (param $other i32) (param $g i32) (param $indptr i32) (param $idx i32) (param $conf i32)
    (param $lambda i32) (param $scratch i32)
    (local $row i32) (local $rowBytes i32) (local $pr i32)
    (local.set $rowBytes (i32.shl (local.get $kp) (i32.const 2)))
    (local.set $row (local.get $r0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $row) (local.get $r1)))
        (local.set $pr (i32.add (local.get $indptr) (i32.shl (local.get $row) (i32.const 2))))
        (call $cgRow
          (i32.add (local.get $target) (i32.mul (local.get $row) (local.get $rowBytes)))
          (local.get $other) (local.get $g) (local.get $idx) (local.get $conf)
          (i32.load (local.get $pr)) (i32.load offset=4 (local.get $pr))
          (local.get $kp) (local.get $steps) (local.get $alpha0)
          (f32.load (i32.add (local.get $lambda) (i32.shl (local.get $row) (i32.const 2))))
          (local.get $scratch)
          (i32.add (local.get $scratch) (local.get $rowBytes))
          (i32.add (local.get $scratch) (i32.shl (local.get $rowBytes) (i32.const 1))))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rows))))

  ;; G += FᵀF for the row tiles tile0, tile0 + tileStep, … (4 rows of G each; columns from the
  ;; 8-block holding the diagonal on, so the caller mirrors the upper triangle). F is rows × kp.
  ;; Tiles of 4 × 8 entries stay in eight registers while a chunk of F's rows (small enough to
  ;; stay in cache across the tiles) passes; each entry sums F's rows in order, whatever the
  ;; tiles' owners, so the result does not depend on the number of threads.
  (func (export "syrk")
    (param $f i32) (param $rows i32) (param $kp i32) (param $g i32) (param $tile0 i32) (param $tileStep i32) (param $chunk i32)
    (local $rowBytes i32) (local $c0 i32) (local $c1 i32) (local $i0 i32) (local $b i32) (local $gp i32) (local $fp i32) (local $fe i32)
    (local $x v128) (local $f0 v128) (local $f1 v128)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local.set $rowBytes (i32.shl (local.get $kp) (i32.const 2)))
    (block $chunks_done
      (loop $chunks
        (br_if $chunks_done (i32.ge_u (local.get $c0) (local.get $rows)))
        (local.set $c1 (i32.add (local.get $c0) (local.get $chunk)))
        (if (i32.gt_u (local.get $c1) (local.get $rows)) (then (local.set $c1 (local.get $rows))))
        (local.set $i0 (i32.shl (local.get $tile0) (i32.const 2)))
        (block $tiles_done
          (loop $tiles
            (br_if $tiles_done (i32.ge_u (local.get $i0) (local.get $kp)))
            (local.set $b (i32.and (local.get $i0) (i32.const -8)))
            (block $cols_done
              (loop $cols
                (br_if $cols_done (i32.ge_u (local.get $b) (local.get $kp)))
                (local.set $gp (i32.add (local.get $g)
                  (i32.add (i32.mul (local.get $i0) (local.get $rowBytes)) (i32.shl (local.get $b) (i32.const 2)))))
                (local.set $a00 (v128.load (local.get $gp)))
                (local.set $a01 (v128.load offset=16 (local.get $gp)))
                (local.set $gp (i32.add (local.get $gp) (local.get $rowBytes)))
                (local.set $a10 (v128.load (local.get $gp)))
                (local.set $a11 (v128.load offset=16 (local.get $gp)))
                (local.set $gp (i32.add (local.get $gp) (local.get $rowBytes)))
                (local.set $a20 (v128.load (local.get $gp)))
                (local.set $a21 (v128.load offset=16 (local.get $gp)))
                (local.set $gp (i32.add (local.get $gp) (local.get $rowBytes)))
                (local.set $a30 (v128.load (local.get $gp)))
                (local.set $a31 (v128.load offset=16 (local.get $gp)))
                (local.set $fp (i32.add (local.get $f) (i32.mul (local.get $c0) (local.get $rowBytes))))
                (local.set $fe (i32.add (local.get $f) (i32.mul (local.get $c1) (local.get $rowBytes))))
                (block $k_done
                  (loop $k
                    (br_if $k_done (i32.ge_u (local.get $fp) (local.get $fe)))
                    (local.set $gp (i32.add (local.get $fp) (i32.shl (local.get $b) (i32.const 2))))
                    (local.set $f0 (v128.load (local.get $gp)))
                    (local.set $f1 (v128.load offset=16 (local.get $gp)))
                    (local.set $gp (i32.add (local.get $fp) (i32.shl (local.get $i0) (i32.const 2))))
                    (local.set $x (v128.load32_splat (local.get $gp)))
                    (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $x) (local.get $f0))))
                    (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $x) (local.get $f1))))
                    (local.set $x (v128.load32_splat offset=4 (local.get $gp)))
                    (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $x) (local.get $f0))))
                    (local.set $a11 (f32x4.add (local.get $a11) (f32x4.mul (local.get $x) (local.get $f1))))
                    (local.set $x (v128.load32_splat offset=8 (local.get $gp)))
                    (local.set $a20 (f32x4.add (local.get $a20) (f32x4.mul (local.get $x) (local.get $f0))))
                    (local.set $a21 (f32x4.add (local.get $a21) (f32x4.mul (local.get $x) (local.get $f1))))
                    (local.set $x (v128.load32_splat offset=12 (local.get $gp)))
                    (local.set $a30 (f32x4.add (local.get $a30) (f32x4.mul (local.get $x) (local.get $f0))))
                    (local.set $a31 (f32x4.add (local.get $a31) (f32x4.mul (local.get $x) (local.get $f1))))
                    (local.set $fp (i32.add (local.get $fp) (local.get $rowBytes)))
                    (br $k)))
                (local.set $gp (i32.add (local.get $g)
                  (i32.add (i32.mul (local.get $i0) (local.get $rowBytes)) (i32.shl (local.get $b) (i32.const 2)))))
                (v128.store (local.get $gp) (local.get $a00))
                (v128.store offset=16 (local.get $gp) (local.get $a01))
                (local.set $gp (i32.add (local.get $gp) (local.get $rowBytes)))
                (v128.store (local.get $gp) (local.get $a10))
                (v128.store offset=16 (local.get $gp) (local.get $a11))
                (local.set $gp (i32.add (local.get $gp) (local.get $rowBytes)))
                (v128.store (local.get $gp) (local.get $a20))
                (v128.store offset=16 (local.get $gp) (local.get $a21))
                (local.set $gp (i32.add (local.get $gp) (local.get $rowBytes)))
                (v128.store (local.get $gp) (local.get $a30))
                (v128.store offset=16 (local.get $gp) (local.get $a31))
                (local.set $b (i32.add (local.get $b) (i32.const 8)))
                (br $cols)))
            (local.set $i0 (i32.add (local.get $i0) (i32.shl (local.get $tileStep) (i32.const 2))))
            (br $tiles)))
        (local.set $c0 (local.get $c1))
        (br $chunks))))

  ;; Rows [r0, r1)'s share of the loss, in float64: λ_row‖x‖², plus Σ_e c_e (1 − x·y_e)² when
  ;; observed is 1. (The α0·Σ ŷ² term is α0·Σ G_X ∘ G_Y, which the caller adds.)
  (func (export "rowsLoss")
    (param $r0 i32) (param $r1 i32) (param $kp i32) (param $target i32) (param $other i32)
    (param $indptr i32) (param $idx i32) (param $conf i32) (param $lambda i32) (param $observed i32) (result f64)
    (local $row i32) (local $rowBytes i32) (local $x i32) (local $e i32) (local $end i32)
    (local $sum f64) (local $t f64)
    (local.set $rowBytes (i32.shl (local.get $kp) (i32.const 2)))
    (local.set $row (local.get $r0))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $row) (local.get $r1)))
        (local.set $x (i32.add (local.get $target) (i32.mul (local.get $row) (local.get $rowBytes))))
        (local.set $sum (f64.add (local.get $sum)
          (f64.mul
            (f64.promote_f32 (f32.load (i32.add (local.get $lambda) (i32.shl (local.get $row) (i32.const 2)))))
            (f64.promote_f32 (call $dot (local.get $x) (local.get $x) (local.get $kp))))))
        (if (local.get $observed)
          (then
            (local.set $e (i32.load (i32.add (local.get $indptr) (i32.shl (local.get $row) (i32.const 2)))))
            (local.set $end (i32.load offset=4 (i32.add (local.get $indptr) (i32.shl (local.get $row) (i32.const 2)))))
            (block $entries_done
              (loop $entries
                (br_if $entries_done (i32.ge_u (local.get $e) (local.get $end)))
                (local.set $t (f64.sub (f64.const 1) (f64.promote_f32 (call $dot (local.get $x)
                  (i32.add (local.get $other)
                    (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $e) (i32.const 2)))) (local.get $rowBytes)))
                  (local.get $kp)))))
                (local.set $sum (f64.add (local.get $sum)
                  (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $conf) (i32.shl (local.get $e) (i32.const 2)))))
                    (f64.mul (local.get $t) (local.get $t)))))
                (local.set $e (i32.add (local.get $e) (i32.const 1)))
                (br $entries)))))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rows)))
    (local.get $sum)))
