;; The k-NN detector's hot loop: squared Euclidean distances from one query point to `n`
;; stored points, four single-precision lanes at a time (WebAssembly SIMD; NEON on the
;; cabinet's ARM cores, SSE on a laptop). Layout, all byte offsets into the imported memory:
;;   q    the query, `vecs` vectors of 4 floats (dimensions beyond the point's are 0)
;;   p    n stored points, each laid out like the query, back to back
;;   out  n floats, written: out[i] = sum over lanes of (p_i - q)^2
;; Source of squared-distances-wasm.ts: `npm run wasm` compiles it (wabt) and a test checks
;; that the committed bytes are what this file compiles to.
(module
  (import "env" "memory" (memory 1))
  (func (export "distances") (param $q i32) (param $p i32) (param $n i32) (param $vecs i32) (param $out i32)
    (local $end i32) (local $qa i32) (local $qend i32) (local $acc v128) (local $d v128)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $qend (i32.add (local.get $q) (i32.shl (local.get $vecs) (i32.const 4))))
    (block $done
      (loop $points
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $qa (local.get $q))
        (loop $lanes
          (local.set $d (f32x4.sub (v128.load (local.get $p)) (v128.load (local.get $qa))))
          (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $d) (local.get $d))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $qa (i32.add (local.get $qa) (i32.const 16)))
          (br_if $lanes (i32.lt_u (local.get $qa) (local.get $qend))))
        (f32.store (local.get $out)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $points))))
)
