/**
 * `npm run bench -- sim-detection`: what the detection rate (site `detection.rate_hz`) does to
 * detection on the simulated cabinet, the runtime bench's site (every sensor at 100 Hz) on a
 * virtual clock: the real chip models, drivers, sampler, detectors and controller, 10 minutes
 * of simulated time per run in a few seconds. The bearing starts wearing at 240 s and the lamp
 * at 360 s (sim-cabinet.ts). For each rate and seed it counts alerts on healthy signals (every
 * stream before its fault, and the streams with no fault throughout) and the delay from each
 * fault's onset to its stream's first alert after it.
 * Prints a table and writes bench-results/sim-detection.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getBoard } from '../../boards/index.js';
import { VirtualClock } from '../../drivers/hal/clock.js';
import { startCabinet, stopCabinet } from '../../firmware/runtime/cabinet.js';
import { siteSchema } from '../../firmware/site/schema.js';
import { fullLoadSite } from './full-load-site.js';

const ROOT = join(import.meta.dirname, '..', '..');
const RUN_S = 600;
const FAULTS = { 'pole.vibration_rms_g': 240, 'lamps-4.current_a': 360 } as const;
/** 1000 Hz is above every stream's rate: every sample scored, as before detection.rate_hz. */
const RATES = [1000, 10, 1];
const SEEDS = [1, 2, 3];

interface Outcome {
  rate_hz: number;
  seed: number;
  healthy_alerts: number;
  healthy_alerts_by_stream: Record<string, number>;
  delay_s: Record<string, number | null>;
  wall_s: number;
}

async function run(rateHz: number, seed: number): Promise<Outcome> {
  const raw = fullLoadSite();
  raw.detection = { rate_hz: rateHz };
  const site = siteSchema.parse(raw);
  const clock = new VirtualClock();
  const t0 = performance.now();
  const c = await startCabinet({ site, siteFile: 'bench.yaml', board: getBoard('sim')!, clock, status: null, inference: false, jobs: false, eventLog: null, sim: { seed, bearingAtS: FAULTS['pole.vibration_rms_g'], lampAtS: FAULTS['lamps-4.current_a'] } });
  const alerts: { t: number; stream: string }[] = [];
  const emit = c.runtime.emit.bind(c.runtime);
  c.runtime.emit = (kind, tMs, source, ...rest) => {
    if (kind === 'alert') alerts.push({ t: tMs, stream: source });
    emit(kind, tMs, source, ...rest);
  };
  const start = clock.now();
  for (let s = 0; s < RUN_S; s++) await clock.advanceAsync(1000);
  await stopCabinet(c, 'bench over');
  const healthy: Record<string, number> = {};
  const delay: Record<string, number | null> = {};
  for (const stream of Object.keys(FAULTS)) delay[stream] = null;
  for (const a of alerts) {
    const s = (a.t - start) / 1000;
    const onset = FAULTS[a.stream as keyof typeof FAULTS];
    if (onset !== undefined && s >= onset) {
      if (delay[a.stream] === null) delay[a.stream] = Math.round((s - onset) * 10) / 10;
    } else healthy[a.stream] = (healthy[a.stream] ?? 0) + 1;
  }
  return { rate_hz: rateHz, seed, healthy_alerts: Object.values(healthy).reduce((x, y) => x + y, 0), healthy_alerts_by_stream: healthy, delay_s: delay, wall_s: Math.round((performance.now() - t0) / 100) / 10 };
}

const outcomes: Outcome[] = [];
for (const rate of RATES) for (const seed of SEEDS) outcomes.push(await run(rate, seed));
const label = (r: number) => (r >= 1000 ? 'every sample (100 Hz)' : `${r} Hz`);
console.log(`simulated cabinet, 9 streams at 100 Hz, ${RUN_S} s per run, seeds ${SEEDS.join(', ')}; bearing from ${FAULTS['pole.vibration_rms_g']} s, lamp from ${FAULTS['lamps-4.current_a']} s`);
console.log('detection rate             healthy-signal alerts per run     bearing delay s     lamp delay s');
for (const rate of RATES) {
  const rs = outcomes.filter((o) => o.rate_hz === rate);
  const f = (k: string) => rs.map((o) => (o.delay_s[k] === null ? 'missed' : o.delay_s[k])).join(' / ');
  console.log(`${label(rate).padEnd(27)}${rs.map((o) => o.healthy_alerts).join(' / ').padEnd(34)}${f('pole.vibration_rms_g').padEnd(20)}${f('lamps-4.current_a')}`);
}
mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
writeFileSync(join(ROOT, 'bench-results', 'sim-detection.json'), JSON.stringify({ bench: 'sim-detection', command: 'npm run bench -- sim-detection', run_s: RUN_S, faults_at_s: FAULTS, outcomes }, null, 2));
