/**
 * Register file of a chip with 16-bit big-endian registers and a pointer register (ADS1115,
 * INA219): a write of one byte sets the pointer, a write of three bytes sets the pointer and
 * writes the word; reads return the pointed word MSB first and do not advance the pointer.
 */
export abstract class WordRegisterFile {
  protected ptr = 0;
  private readonly staged = new Uint8Array(2);

  write(data: Uint8Array): void {
    if (data.length === 0) return;
    this.ptr = data[0]!;
    if (data.length >= 3) this.writeWord(this.ptr, (data[1]! << 8) | data[2]!);
  }

  read(into: Uint8Array): void {
    const w = this.readWord(this.ptr);
    this.staged[0] = w >> 8;
    this.staged[1] = w & 0xff;
    for (let i = 0; i < into.length; i++) into[i] = this.staged[i & 1]!;
  }

  get pointer(): number {
    return this.ptr;
  }

  protected abstract readWord(reg: number): number;
  protected abstract writeWord(reg: number, value: number): void;
}

export function clampInt(v: number, lo: number, hi: number): number {
  const r = Math.round(v);
  return r < lo ? lo : r > hi ? hi : r;
}
