import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * The demo site with every sensor at 100 Hz, configured as a 100 Hz site must be: the BME280
 * measuring continuously (normal mode; in forced mode each poll holds its bus for the ~9 ms
 * measurement and starves the INA219s beside it) and the one-channel ADS1115 converting
 * continuously at 860 SPS, each poll reading the latest conversion (the datasheet's mode for
 * continuous sampling; single-shot costs a write, a conversion wait and two reads per poll,
 * and a wake-up of its own for the wait). `ads1115Mode: 'single-shot'` measures that instead.
 * The runtime and sim-detection benches share it. Returned as the raw YAML object, to amend.
 */
export function fullLoadSite(ads1115Mode = 'continuous'): Record<string, unknown> {
  const site = parse(readFileSync(join(ROOT, 'firmware/sites/demo.yaml'), 'utf8')) as Record<string, unknown>;
  for (const s of site.sensors as { chip: string; rate_hz: number; options?: Record<string, unknown> }[]) {
    s.rate_hz = 100;
    if (s.chip === 'bme280') s.options = { ...s.options, mode: 'normal', standby_ms: 0.5 };
    if (s.chip === 'ads1115') s.options = { ...s.options, data_rate_sps: 860, mode: ads1115Mode };
  }
  return site;
}
