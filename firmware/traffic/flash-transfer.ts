import type { Clock, TimerHandle } from '../../drivers/hal/clock.js';
import type { DigitalOut, Level } from '../../drivers/hal/gpio.js';

/**
 * The cabinet's flash transfer relays and flasher. While engaged, every red lamp flashes at
 * 1 Hz from this object's own timer and every other lamp is off; the controller's writes go
 * through `gate()`d outputs and are dropped, so a running, stalled or confused controller
 * cannot light anything. The conflict monitor engages it on a fault (latched: only the
 * monitor can release it); the controller may request it for start-up flash.
 */
export type FlashSource = 'startup' | 'monitor';

export interface FlashChannel {
  readonly red: DigitalOut;
  readonly yellow: DigitalOut;
  readonly green: DigitalOut;
  readonly walk?: DigitalOut;
  readonly dontWalk?: DigitalOut;
}

export type TransferListener = (engaged: boolean, source: FlashSource | null, tMs: number) => void;

export class FlashTransfer {
  private src: FlashSource | null = null;
  private timer: TimerHandle | undefined;
  private redOn = false;
  private readonly listeners = new Set<TransferListener>();

  constructor(
    private readonly clock: Clock,
    private readonly channels: readonly FlashChannel[],
    private readonly halfPeriodMs = 500,
  ) {}

  get engaged(): boolean {
    return this.src !== null;
  }
  get source(): FlashSource | null {
    return this.src;
  }
  /** Whether the flasher is in its lit half now. */
  get redLit(): boolean {
    return this.src !== null && this.redOn;
  }

  onChange(listener: TransferListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A DigitalOut for the controller: writes pass only while the transfer is not engaged. */
  gate(out: DigitalOut): DigitalOut {
    const self = this;
    return {
      ref: out.ref,
      readbackIsReal: out.readbackIsReal,
      write(level: Level): void {
        if (self.src === null) out.write(level);
      },
      read: () => out.read(),
      close: () => out.close(),
    };
  }

  /** Output writes that threw (a dead load-switch driver); the flash goes on with the others. */
  writeFailures = 0;

  /** Never throws: a failing output must not stop the flash on every other one. */
  engage(source: FlashSource): void {
    if (this.src === 'monitor' || this.src === source) return;
    const was = this.src;
    this.src = source;
    if (was === null) {
      // Arm the flasher first, so nothing below can leave the cabinet without it.
      this.redOn = false;
      this.timer = this.clock.setInterval(() => this.toggle(), this.halfPeriodMs);
      this.toggle();
    }
    this.emit();
  }

  /** Ends the flash if `source` holds it; the monitor's latch is released only by 'monitor'. Lamps go all red. */
  release(source: FlashSource): boolean {
    if (this.src !== source) return false;
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.src = null;
    this.redOn = false;
    for (const c of this.channels) {
      this.put(c.green, 0);
      this.put(c.yellow, 0);
      if (c.walk) this.put(c.walk, 0);
      if (c.dontWalk) this.put(c.dontWalk, 1);
      this.put(c.red, 1);
    }
    this.emit();
    return true;
  }

  dispose(): void {
    this.clock.clearTimer(this.timer);
    this.listeners.clear();
  }

  private toggle(): void {
    this.redOn = !this.redOn;
    for (const c of this.channels) {
      this.put(c.green, 0);
      this.put(c.yellow, 0);
      if (c.walk) this.put(c.walk, 0);
      if (c.dontWalk) this.put(c.dontWalk, 0);
      this.put(c.red, this.redOn ? 1 : 0);
    }
  }

  /** One write; a throwing output is counted and skipped, never allowed to stop the others. */
  private put(out: DigitalOut, level: Level): void {
    try {
      out.write(level);
    } catch {
      this.writeFailures++;
    }
  }

  private emit(): void {
    const t = this.clock.now();
    for (const l of this.listeners) {
      try {
        l(this.src !== null, this.src, t);
      } catch {
        // a listener's bug must not undo a transfer
      }
    }
  }
}
