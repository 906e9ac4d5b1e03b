import type { SimBoard } from '../../drivers/backends/sim/index.js';
import type { Clock, TimerHandle } from '../../drivers/hal/clock.js';
import { createChipModel, type ChipModel } from '../../drivers/chips/index.js';
import type { Mpu6050Model } from '../../drivers/chips/models/mpu6050.js';
import type { Site } from '../site/schema.js';
import type { SimulationPart } from './parts.js';

/**
 * The simulated world of `--board sim`: register-level chip models on the simulated I2C buses
 * fed with plausible physics, vehicles on the loop detector inputs, and a few slowly developing
 * faults for the detectors to find:
 *
 * - a fan bearing wearing: the pole accelerometer's vibration amplitude rises from `bearingAtS`;
 * - a lamp degrading: the lamp current of one head falls (LEDs dimming, then a string failing)
 *   from `lampAtS`;
 * - short NACK bursts on bus 2 now and then (the sampler's retries absorb them).
 *
 * Everything is driven from the runtime clock and a seeded generator, so a run is repeatable.
 */
export interface SimCabinetOptions {
  readonly seed?: number;
  readonly bearingAtS?: number;
  readonly lampAtS?: number;
  /** Scales vehicle arrival rates (1 = a moderately busy suburban junction). */
  readonly traffic?: number;
  readonly updateMs?: number;
}

/** Arrivals per second per phase: main street through (2, 6) busiest, lefts least. */
const ARRIVALS: Record<number, number> = { 1: 0.04, 2: 0.22, 3: 0.03, 4: 0.1, 5: 0.04, 6: 0.2, 7: 0.03, 8: 0.1 };
const LAMP_A = 0.42; // one LED signal lamp at 24 V DC
const HEADWAY_MS = 2000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Approach {
  phase: number;
  pin: number;
  green: number;
  queue: number;
  pulseUntil: number;
  nextDischarge: number;
  level: 0 | 1;
}

interface LampSensor {
  model: ChipModel;
  pins: number[];
  degrading: boolean;
}

export class SimCabinet implements SimulationPart {
  private readonly rnd: () => number;
  private timer: TimerHandle | undefined;
  private t0 = 0;
  private readonly approaches: Approach[] = [];
  private readonly lampSensors: LampSensor[] = [];
  private readonly env: ChipModel[] = [];
  private readonly vib: Mpu6050Model[] = [];
  private readonly adc: ChipModel[] = [];
  private readonly o: Required<SimCabinetOptions>;
  private nextNack = 0;

  constructor(
    private readonly board: SimBoard,
    private readonly site: Site,
    private readonly clock: Clock,
    options: SimCabinetOptions = {},
  ) {
    this.o = { seed: 1, bearingAtS: 40, lampAtS: 60, traffic: 1, updateMs: 100, ...options };
    this.rnd = mulberry32(this.o.seed);
    const degradingHead = Object.entries(site.lamps.phases).find(([, h]) => h.current_sensor)?.[1].current_sensor;
    // The last head with a current sensor is the one that degrades (lamps-4 on the demo site).
    const lastSensorHead = Object.values(site.lamps.phases).filter((h) => h.current_sensor).pop()?.current_sensor ?? degradingHead;
    for (const s of site.sensors) {
      const model = createChipModel(s.chip, { clock, shuntOhms: typeof s.options.shunt_ohms === 'number' ? s.options.shunt_ohms : 0.1 });
      board.i2c.simBus(s.bus).attach(s.address, model);
      if (s.chip === 'bme280') this.env.push(model);
      else if (s.chip === 'mpu6050') this.vib.push(model as unknown as Mpu6050Model);
      else if (s.chip === 'ads1115') this.adc.push(model);
      else if (s.chip === 'ina219') {
        const head = Object.values(site.lamps.phases).find((h) => h.current_sensor === s.name);
        const pins = head ? [head.red, head.yellow, head.green, ...(head.walk ? [head.walk] : []), ...(head.dont_walk ? [head.dont_walk] : [])] : [];
        this.lampSensors.push({ model, pins, degrading: s.name === lastSensorHead });
      }
    }
    for (const d of site.detectors) {
      const head = site.lamps.phases[String(d.phase)];
      if (!head) continue;
      this.approaches.push({ phase: d.phase, pin: d.pin, green: head.green, queue: 0, pulseUntil: 0, nextDischarge: 0, level: 0 });
    }
  }

  describe(): string {
    return `simulated cabinet: traffic on ${this.approaches.length} loop(s); fan bearing wear from t=${this.o.bearingAtS}s, lamp degrading from t=${this.o.lampAtS}s`;
  }

  start(): void {
    this.t0 = this.clock.now();
    this.nextNack = this.t0 + 20_000 + this.rnd() * 20_000;
    this.update();
    this.timer = this.clock.setInterval(() => this.update(), this.o.updateMs);
  }

  stop(): void {
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** Lamp current multiplier of the degrading head at `s` seconds: LEDs dimming, then one string of LEDs out. */
  static lampHealth(s: number, atS: number): number {
    if (s < atS) return 1;
    const dim = Math.max(0.85, 1 - (s - atS) * 0.005);
    return s < atS + 20 ? dim : dim * 0.5;
  }

  /** Bearing vibration amplitude (g): a steady fan, wear growing slowly, then a spalled race (a jump). */
  static bearingAmplitude(s: number, atS: number): number {
    if (s < atS) return 0.02;
    const w = s - atS;
    return w < 30 ? 0.02 + 0.0006 * w : 0.1 + 0.002 * (w - 30);
  }

  private update(): void {
    const now = this.clock.now();
    const s = (now - this.t0) / 1000;
    const gpio = this.board.gpio;
    const noise = (sd: number): number => (this.rnd() + this.rnd() + this.rnd() - 1.5) * sd * 2;

    for (const m of this.env) {
      // A compressed day: ten minutes from night to afternoon and back.
      m.setInput('temperature_c', 24 + 6 * Math.sin((2 * Math.PI * s) / 600) + noise(0.05));
      m.setInput('humidity_pct', 48 - 10 * Math.sin((2 * Math.PI * s) / 600) + noise(0.2));
      m.setInput('pressure_pa', 101_325 + 40 * Math.sin((2 * Math.PI * s) / 1800) + noise(3));
    }
    for (const m of this.vib) {
      const a = SimCabinet.bearingAmplitude(s, this.o.bearingAtS) * (1 + noise(0.04));
      m.setVibration({ axis: 2, amplitudeG: Math.max(0, a), frequencyHz: 23 });
    }
    for (const m of this.adc) {
      // Supply monitor behind a 1:8 divider: 12 V nominal → 1.5 V, with ripple.
      m.setInput('ain0_v', 1.5 + noise(0.004));
      m.setInput('ain1_v', 0);
      m.setInput('ain2_v', 0.625 + noise(0.002));
      m.setInput('ain3_v', 0);
    }
    for (const l of this.lampSensors) {
      let lit = 0;
      for (const p of l.pins) lit += gpio.physical(p) ?? 0;
      const health = l.degrading ? SimCabinet.lampHealth(s, this.o.lampAtS) : 1;
      l.model.setInput('current_a', Math.max(0, lit * LAMP_A * health + 0.02 + noise(0.004)));
      l.model.setInput('bus_v', 24 + noise(0.02));
    }

    // Traffic: arrivals queue at the stop bar (the loop stays occupied) until green, then
    // discharge one per headway, each crossing the loop as a short pulse.
    const dt = this.o.updateMs / 1000;
    for (const a of this.approaches) {
      if (this.rnd() < (ARRIVALS[a.phase] ?? 0.05) * this.o.traffic * dt) a.queue++;
      const green = gpio.physical(a.green) === 1;
      if (green && a.queue > 0 && now >= a.nextDischarge) {
        a.queue--;
        a.pulseUntil = now + 400;
        a.nextDischarge = now + HEADWAY_MS;
      }
      const level: 0 | 1 = (a.queue > 0 && !green) || now < a.pulseUntil ? 1 : 0;
      if (level !== a.level) {
        a.level = level;
        gpio.setInput(a.pin, level);
      }
    }

    if (now >= this.nextNack) {
      this.board.i2c.simBus(2).inject({ kind: 'nack', count: 2 });
      this.nextNack = now + 20_000 + this.rnd() * 40_000;
    }
  }
}
