/**
 * Deterministic simulated telemetry of a healthy signal cabinet, the training data of the
 * shipped Isolation Forest (`iforest-cabinet.onnx`). One row per minute, columns as the
 * cabinet's sensors report them:
 *   temperature_c (BME280, daily cycle plus fan-controlled self-heating),
 *   humidity_pct (BME280, falls as the cabinet warms),
 *   supply_v (INA219 bus voltage, 24 V rail with load sag),
 *   load_a (INA219 current: controller + lamps, higher while more signal heads are lit),
 *   vibration_g (MPU-6050 RMS, traffic-induced, higher at peak hours).
 * Faults (a stuck fan, a failing supply, a loose mount) are what the forest should flag.
 */
import { SeededRandom } from '../../firmware/anomaly/iforest/random.js';

export const CABINET_COLUMNS = ['temperature_c', 'humidity_pct', 'supply_v', 'load_a', 'vibration_g'] as const;

export interface CabinetTelemetry {
  columns: string[];
  rows: number;
  /** Row-major, rows × columns. */
  data: Float64Array;
}

export function simulateCabinetTelemetry(rows: number, seed = 1): CabinetTelemetry {
  const rng = new SeededRandom(seed);
  const cols = CABINET_COLUMNS.length;
  const data = new Float64Array(rows * cols);
  let weather = 0;
  for (let r = 0; r < rows; r++) {
    const hour = (r / 60) % 24;
    weather = 0.999 * weather + 0.045 * rng.normal(); // multi-day weather drift, ±1.5 °C
    const ambient = 18 + 7 * Math.sin(((hour - 9) / 24) * 2 * Math.PI) + weather;
    const traffic = 0.2 + Math.exp(-0.5 * ((hour - 8) / 1.5) ** 2) + Math.exp(-0.5 * ((hour - 17.5) / 1.8) ** 2);
    const load = 1.6 + 0.35 * traffic + 0.08 * rng.normal();
    const temperature = ambient + 6 + 1.2 * load + 0.3 * rng.normal();
    const humidity = Math.min(98, Math.max(10, 70 - 1.4 * (temperature - 25) + 3 * rng.normal()));
    const supply = 24.1 - 0.12 * load + 0.04 * rng.normal();
    const vibration = 0.02 + 0.015 * traffic + 0.004 * Math.abs(rng.normal());
    const row = r * cols;
    data[row] = temperature;
    data[row + 1] = humidity;
    data[row + 2] = supply;
    data[row + 3] = load;
    data[row + 4] = vibration;
  }
  return { columns: [...CABINET_COLUMNS], rows, data };
}
