import { SQUARED_DISTANCES_WASM } from './squared-distances-wasm.js';

const PAGE = 65536;

/**
 * The part of the WebAssembly JS API used here. Typed locally: the device build's lib
 * (ES2023 + @types/node 20) declares no WebAssembly namespace.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (d: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * One WebAssembly memory for every k-NN detector of the process, and the one module instance
 * bound to it. One memory, not one per detector: V8 reserves a large guard region of address
 * space per wasm memory on 64-bit hosts and caps the total, so a bank of many streams (or a
 * NAB run creating a detector per file) must share. Detectors hold float offsets, never views:
 * growing the memory detaches the old ArrayBuffer, so `f32` is replaced on every growth and
 * readers fetch it afresh per call. Regions of collected detectors return to a free list.
 */
export class WasmArena {
  readonly memory = new WA.Memory({ initial: 1 });
  /** The whole memory as floats; replaced when the memory grows. */
  f32 = new Float32Array(this.memory.buffer);
  readonly distances: (q: number, p: number, n: number, vecs: number, out: number) => void;
  private top = 0;
  private readonly free = new Map<number, number[]>();
  private readonly reclaim = new FinalizationRegistry<{ at: number; floats: number }>((r) => this.release(r.at, r.floats));

  constructor(bytes: Uint8Array) {
    const instance = new WA.Instance(new WA.Module(bytes), { env: { memory: this.memory } });
    this.distances = instance.exports['distances'] as WasmArena['distances'];
  }

  /** A region of `floats` floats (16-byte aligned, zeroed), given back when `owner` is collected. */
  alloc(owner: object, floats: number): number {
    const size = (floats + 3) & ~3;
    const reused = this.free.get(size)?.pop();
    let at: number;
    if (reused !== undefined) {
      at = reused;
      this.f32.fill(0, at, at + size);
    } else {
      at = this.top;
      this.top += size;
      const need = Math.ceil((this.top * 4) / PAGE) - this.memory.buffer.byteLength / PAGE;
      if (need > 0) {
        this.memory.grow(need);
        this.f32 = new Float32Array(this.memory.buffer);
      }
    }
    this.reclaim.register(owner, { at, floats: size });
    return at;
  }

  private release(at: number, size: number): void {
    const list = this.free.get(size) ?? [];
    list.push(at);
    this.free.set(size, list);
  }
}

let shared: WasmArena | null | undefined;

/**
 * The process's arena, or null where WebAssembly SIMD is not available (then the k-NN runs
 * its plain JavaScript loop). WAYSIDE_KNN_SIMD=0 forces the JavaScript loop, to compare.
 */
export function wasmArena(): WasmArena | null {
  if (shared !== undefined) return shared;
  const bytes = Buffer.from(SQUARED_DISTANCES_WASM, 'base64');
  shared = process.env['WAYSIDE_KNN_SIMD'] !== '0' && WA.validate(bytes) ? new WasmArena(bytes) : null;
  return shared;
}
