import { wasmArena, type WasmArena } from './wasm-arena.js';

/**
 * Squared distances from a query point to a fixed-capacity set of stored points, the k-NN
 * detector's hot loop. Points are single precision, padded to a multiple of 4 dimensions with
 * zeros (which add nothing to a distance). With WebAssembly SIMD (every cabinet board: NEON)
 * the distances come from squared-distances.wat, about 7× faster than the scalar loop; without
 * it, from the same arithmetic in JavaScript. The two agree to float rounding (a test checks).
 *
 * Readers use `floats` (fetch it per call: it is replaced when the shared memory grows) at
 * `outAt + i` for the distance of slot i after `run`.
 */
export class SquaredDistances {
  /** Floats per point: dim rounded up to a multiple of 4. */
  readonly stride: number;
  private readonly arena: WasmArena | null;
  private readonly own: Float32Array | null;
  private readonly queryAt: number;
  private readonly pointsAt: number;
  readonly outAt: number;

  constructor(
    readonly capacity: number,
    readonly dim: number,
    options: { simd?: boolean } = {},
  ) {
    this.stride = (dim + 3) & ~3;
    const floats = this.stride + capacity * this.stride + capacity;
    this.arena = options.simd === false ? null : wasmArena();
    this.own = this.arena ? null : new Float32Array(floats);
    const base = this.arena ? this.arena.alloc(this, floats) : 0;
    this.queryAt = base;
    this.pointsAt = base + this.stride;
    this.outAt = this.pointsAt + capacity * this.stride;
  }

  /** True when the wasm SIMD kernel computes the distances. */
  get simd(): boolean {
    return this.arena !== null;
  }

  /** The memory holding query, points and distances (fetch afresh per call). */
  get floats(): Float32Array {
    return this.arena ? this.arena.f32 : this.own!;
  }

  /** Sets the query to `point[0..dim)` (rounded to single precision). */
  setQuery(point: Float64Array): void {
    this.write(this.queryAt, point);
  }

  /** Stores `point[0..dim)` in `slot` (rounded to single precision). */
  store(slot: number, point: Float64Array): void {
    this.write(this.pointsAt + slot * this.stride, point);
  }

  private write(at: number, point: Float64Array): void {
    const f = this.floats;
    for (let d = 0; d < this.dim; d++) f[at + d] = point[d]!;
  }

  /** Computes the distances of slots [0, count) to the query into floats[outAt + i]. */
  run(count: number): void {
    if (this.arena) {
      this.arena.distances(this.queryAt * 4, this.pointsAt * 4, count, this.stride >> 2, this.outAt * 4);
      return;
    }
    const f = this.own!;
    const { stride, queryAt } = this;
    for (let i = 0; i < count; i++) {
      const base = this.pointsAt + i * stride;
      let sum = 0;
      for (let d = 0; d < stride; d++) {
        const a = f[base + d]! - f[queryAt + d]!;
        sum += a * a;
      }
      f[this.outAt + i] = sum;
    }
  }

  /** Zeroes query, points and distances. */
  clear(): void {
    this.floats.fill(0, this.queryAt, this.outAt + this.capacity);
  }
}
