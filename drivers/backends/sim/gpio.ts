import type { GpioBackend } from '../../hal/backend.js';
import type { Clock } from '../../hal/clock.js';
import { Debouncer } from '../../hal/debounce.js';
import { HalError } from '../../hal/errors.js';
import type { DigitalIn, DigitalOut, EdgeListener, InputOptions, Level, OutputOptions, PinRef } from '../../hal/gpio.js';

/** Called when the electrical level of a simulated output changes (what a lamp would show). */
export type OutputListener = (pin: number, level: Level, tMs: number) => void;

interface OutState {
  written: Level; // electrical level last written
  forced: Level | null; // a fault holding the pin (stuck relay, shorted triac)
  activeLow: boolean;
  effective: Level; // electrical level on the pin
  open: boolean;
}

/**
 * Simulated GPIO: outputs remember what was written and can be held by an injected fault;
 * inputs are driven from tests or simulators with `setInput`. Levels passed to `setInput`,
 * `forceOutput`, `physical` and listeners are electrical; DigitalIn/DigitalOut see logical levels.
 */
export class SimGpio implements GpioBackend {
  readonly name = 'sim';
  private readonly outs = new Map<number, OutState>();
  private readonly inputs = new Map<number, { raw: Level; debouncers: Set<Debouncer>; activeLow: boolean }>();
  private readonly listeners = new Set<OutputListener>();

  constructor(private readonly clock: Clock) {}

  output(ref: PinRef, options: OutputOptions = {}): DigitalOut {
    const pin = ref.pin;
    if (this.outs.get(pin)?.open || this.inputs.has(pin)) {
      throw new HalError('busy', `sim: pin ${pin} is already claimed`, 'EBUSY');
    }
    const activeLow = options.activeLow ?? false;
    const initial = toElectrical(options.initial ?? 0, activeLow);
    const prev = this.outs.get(pin);
    const st: OutState = { written: initial, forced: prev?.forced ?? null, activeLow, effective: initial, open: true };
    this.outs.set(pin, st);
    this.update(pin, st);
    const self = this;
    return {
      ref,
      readbackIsReal: true,
      write(level: Level): void {
        if (!st.open) throw new HalError('invalid', `sim: pin ${pin} written after close`);
        st.written = toElectrical(level, st.activeLow);
        self.update(pin, st);
      },
      read(): Level {
        return toElectrical(st.effective, st.activeLow);
      },
      close(): void {
        st.open = false;
      },
    };
  }

  input(ref: PinRef, options: InputOptions = {}): DigitalIn {
    const pin = ref.pin;
    if (this.outs.get(pin)?.open) throw new HalError('busy', `sim: pin ${pin} is an output`, 'EBUSY');
    const activeLow = options.activeLow ?? false;
    let st = this.inputs.get(pin);
    if (!st) {
      st = { raw: toElectrical(0, activeLow), debouncers: new Set(), activeLow };
      this.inputs.set(pin, st);
    }
    const deb = new Debouncer(this.clock, options.debounceMs ?? 0, toElectrical(st.raw, activeLow));
    st.debouncers.add(deb);
    const entry = st;
    return {
      ref,
      read: () => deb.level,
      onChange: (l: EdgeListener) => deb.onChange(l),
      close: () => {
        deb.dispose();
        entry.debouncers.delete(deb);
      },
    };
  }

  async close(): Promise<void> {
    for (const st of this.outs.values()) st.open = false;
    for (const st of this.inputs.values()) for (const d of st.debouncers) d.dispose();
    this.inputs.clear();
  }

  // ---- simulator / test side ----

  /** Drives the electrical level seen by an input pin (a loop detector card's output). */
  setInput(pin: number, level: Level): void {
    let st = this.inputs.get(pin);
    if (!st) {
      st = { raw: level, debouncers: new Set(), activeLow: false };
      this.inputs.set(pin, st);
    }
    st.raw = level;
    for (const d of st.debouncers) d.input(toElectrical(level, st.activeLow));
  }

  /** Holds an output at an electrical level whatever is written (null releases it). */
  forceOutput(pin: number, level: Level | null): void {
    let st = this.outs.get(pin);
    if (!st) {
      st = { written: 0, forced: level, activeLow: false, effective: 0, open: false };
      this.outs.set(pin, st);
    }
    st.forced = level;
    this.update(pin, st);
  }

  /** Electrical level on an output pin now, or undefined if never opened. */
  physical(pin: number): Level | undefined {
    return this.outs.get(pin)?.effective;
  }

  /** Logical level last written by the application (before any forcing fault). */
  lastWrite(pin: number): Level | undefined {
    const st = this.outs.get(pin);
    return st ? toElectrical(st.written, st.activeLow) : undefined;
  }

  onOutput(listener: OutputListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets every pin, fault and listener. */
  reset(): void {
    void this.close();
    this.outs.clear();
    this.listeners.clear();
  }

  private update(pin: number, st: OutState): void {
    const eff = st.forced ?? st.written;
    if (eff === st.effective) return;
    st.effective = eff;
    const t = this.clock.now();
    for (const l of this.listeners) l(pin, eff, t);
  }
}

function toElectrical(level: Level, activeLow: boolean): Level {
  return (activeLow ? 1 - level : level) as Level;
}
