/**
 * The part every register-level model shares: a 256-byte register space, a pointer set by
 * the first byte of a write, and auto-increment on reads. Chips differ in what writes do
 * (BME280 takes register/value pairs, 16-bit chips take a word), so models override `store`.
 */
export abstract class RegisterFile {
  protected readonly regs = new Uint8Array(256);
  protected ptr = 0;

  write(data: Uint8Array): void {
    if (data.length === 0) return; // a zero-length write is an address probe
    this.ptr = data[0]!;
    if (data.length > 1) this.store(data);
  }

  read(into: Uint8Array): void {
    this.beforeRead(this.ptr);
    for (let i = 0; i < into.length; i++) {
      into[i] = this.load(this.ptr);
      this.ptr = this.nextPointer(this.ptr);
    }
  }

  /** Register pointer now (tests). */
  get pointer(): number {
    return this.ptr;
  }

  /** Raw register value, for tests and the simulator's register dump. */
  peek(reg: number): number {
    return this.regs[reg & 0xff]!;
  }

  /** Called with the whole write (pointer at data[0]) when it carries data. */
  protected abstract store(data: Uint8Array): void;

  /** Hook for chips that latch a fresh measurement when a read begins. */
  protected beforeRead(_reg: number): void {}

  protected load(reg: number): number {
    return this.regs[reg]!;
  }

  protected nextPointer(reg: number): number {
    return (reg + 1) & 0xff;
  }
}

/**
 * Integer x in [lo, hi] whose f(x) is closest to `target`, for a monotonic f. The models use
 * it to invert datasheet compensation formulas: set 21.5 °C, get the ADC count the driver turns
 * back into 21.5 °C.
 */
export function invertMonotonic(f: (x: number) => number, target: number, lo: number, hi: number): number {
  const rising = f(hi) >= f(lo);
  let a = lo;
  let b = hi;
  while (a < b) {
    const m = Math.floor((a + b) / 2);
    const v = f(m);
    if (rising ? v < target : v > target) a = m + 1;
    else b = m;
  }
  if (a > lo && Math.abs(f(a - 1) - target) <= Math.abs(f(a) - target)) return a - 1;
  return a;
}
