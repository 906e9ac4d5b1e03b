import type { DigitalOut, Level } from '../hal/gpio.js';

/**
 * One vehicle signal head (a NEMA channel): red, yellow and green load-switch outputs, and
 * optionally the pedestrian walk / don't-walk pair of the same phase.
 *
 * Active-low wiring is the DigitalOut's business (OutputOptions.activeLow): here 1 is "lamp lit".
 * Changes are break-before-make: every lamp that must go out is written off before the new one
 * is written on, so two colours are never commanded together, not even for one write.
 */
export type VehicleAspect = 'red' | 'yellow' | 'green' | 'dark';
export type PedAspect = 'walk' | 'dont-walk' | 'dark';
/** What a head shows, read back from the outputs. Two or more lit colours is `multiple`. */
export type Indication = VehicleAspect | 'multiple';

export interface SignalHeadOutputs {
  readonly red: DigitalOut;
  readonly yellow: DigitalOut;
  readonly green: DigitalOut;
  readonly walk?: DigitalOut;
  readonly dontWalk?: DigitalOut;
}

export interface LampReadback {
  readonly red: Level;
  readonly yellow: Level;
  readonly green: Level;
  readonly walk: Level | null;
  readonly dontWalk: Level | null;
  /** Derived from the three vehicle lamps: one lit colour, none (`dark`) or several (`multiple`). */
  readonly indication: Indication;
}

export class SignalHead {
  private aspect: VehicleAspect = 'dark';
  private ped: PedAspect = 'dark';

  constructor(readonly outputs: SignalHeadOutputs) {}

  /** The aspect last commanded (intent; the monitor must use `readback()` instead). */
  get commanded(): VehicleAspect {
    return this.aspect;
  }

  get commandedPed(): PedAspect {
    return this.ped;
  }

  /** Shows one colour (or none). Lamps that must go out are switched off first. */
  set(aspect: VehicleAspect): void {
    const o = this.outputs;
    if (aspect !== 'red') o.red.write(0);
    if (aspect !== 'yellow') o.yellow.write(0);
    if (aspect !== 'green') o.green.write(0);
    if (aspect === 'red') o.red.write(1);
    else if (aspect === 'yellow') o.yellow.write(1);
    else if (aspect === 'green') o.green.write(1);
    this.aspect = aspect;
  }

  /** Pedestrian indication; a head without ped outputs ignores it. Flashing is the caller's timer. */
  setPed(aspect: PedAspect): void {
    const { walk, dontWalk } = this.outputs;
    if (aspect !== 'walk') walk?.write(0);
    if (aspect !== 'dont-walk') dontWalk?.write(0);
    if (aspect === 'walk') walk?.write(1);
    else if (aspect === 'dont-walk') dontWalk?.write(1);
    this.ped = aspect;
  }

  get hasPed(): boolean {
    return this.outputs.walk !== undefined && this.outputs.dontWalk !== undefined;
  }

  /** What the outputs actually drive (DigitalOut.read), not what was commanded. */
  readback(): LampReadback {
    const o = this.outputs;
    const red = o.red.read();
    const yellow = o.yellow.read();
    const green = o.green.read();
    return {
      red,
      yellow,
      green,
      walk: o.walk ? o.walk.read() : null,
      dontWalk: o.dontWalk ? o.dontWalk.read() : null,
      indication: indicationOf(red, yellow, green),
    };
  }

  /** Turns every lamp off and releases the outputs. */
  close(): void {
    this.set('dark');
    this.setPed('dark');
    for (const out of [this.outputs.red, this.outputs.yellow, this.outputs.green, this.outputs.walk, this.outputs.dontWalk]) {
      out?.close();
    }
  }
}

export function indicationOf(red: Level, yellow: Level, green: Level): Indication {
  const lit = red + yellow + green;
  if (lit === 0) return 'dark';
  if (lit > 1) return 'multiple';
  return red ? 'red' : yellow ? 'yellow' : 'green';
}
