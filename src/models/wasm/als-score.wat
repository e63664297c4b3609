;; iALS fold-in scoring with WebAssembly SIMD: score[i] = Σ_j Y[i][j] · x[j] for every known title.
;;
;; Titles are packed in blocks of eight, factor-major inside a block (for each j, the eight
;; titles' float32 factors side by side, 32 bytes), so one pass over j loads a block with two
;; v128 loads. Each f64x2 lane is one title: its factor is widened to float64 exactly, multiplied
;; by x[j] and added to that title's own running sum in order j = 0, 1, …, k-1. That is the same
;; sequence of float64 multiplications and additions as the scalar JavaScript loop (WebAssembly
;; never fuses or reorders them), so the sums are bit-for-bit the same.
;;
;; Built into als-score.wasm.ts by `npm run build:wasm`; test/models/wasm checks that the
;; committed bytes are what this file assembles to.
(module
  (memory (export "memory") 1)

  ;; blocks: number of 8-title blocks; k: factors; y: byte offset of the packed factors;
  ;; x: byte offset of k float64; out: byte offset of blocks × 8 float64 sums.
  (func (export "score") (param $blocks i32) (param $k i32) (param $y i32) (param $x i32) (param $out i32)
    (local $b i32) (local $j i32) (local $p i32) (local $xj v128)
    (local $v0 v128) (local $v1 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $p (local.get $y))
    (block $done
      (loop $block
        (br_if $done (i32.ge_u (local.get $b) (local.get $blocks)))
        (local.set $s0 (f64x2.splat (f64.const 0)))
        (local.set $s1 (f64x2.splat (f64.const 0)))
        (local.set $s2 (f64x2.splat (f64.const 0)))
        (local.set $s3 (f64x2.splat (f64.const 0)))
        (local.set $j (i32.const 0))
        (block $factors_done
          (loop $factor
            (br_if $factors_done (i32.ge_u (local.get $j) (local.get $k)))
            (local.set $xj (f64x2.splat (f64.load (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 3))))))
            (local.set $v0 (v128.load (local.get $p)))
            (local.set $v1 (v128.load offset=16 (local.get $p)))
            ;; titles 0,1 | 2,3 | 4,5 | 6,7 of the block
            (local.set $s0 (f64x2.add (local.get $s0) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $v0)) (local.get $xj))))
            (local.set $s1 (f64x2.add (local.get $s1) (f64x2.mul
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v0) (local.get $v0)))
              (local.get $xj))))
            (local.set $s2 (f64x2.add (local.get $s2) (f64x2.mul (f64x2.promote_low_f32x4 (local.get $v1)) (local.get $xj))))
            (local.set $s3 (f64x2.add (local.get $s3) (f64x2.mul
              (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v1) (local.get $v1)))
              (local.get $xj))))
            (local.set $p (i32.add (local.get $p) (i32.const 32)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $factor)))
        (v128.store (local.get $out) (local.get $s0))
        (v128.store offset=16 (local.get $out) (local.get $s1))
        (v128.store offset=32 (local.get $out) (local.get $s2))
        (v128.store offset=48 (local.get $out) (local.get $s3))
        (local.set $out (i32.add (local.get $out) (i32.const 64)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $block)))))
