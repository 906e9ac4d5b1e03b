import type { WorkerClient } from './worker-client.js';
import type { SensorPipeline } from './sensor-pipeline.js';

/**
 * Feeds the shipped Isolation Forest (`iforest-cabinet`, columns temperature_c, humidity_pct,
 * supply_v, load_a, vibration_g) with the cabinet's latest readings once a period, on the
 * inference thread, and offers its score as the stream `model.iforest-cabinet`. The request is
 * fire-and-forget with a timeout: a slow model only makes its own stream stale.
 */
export interface CabinetModelColumns {
  readonly temperature_c: string | null;
  readonly humidity_pct: string | null;
  readonly supply_v: string | null;
  /** Summed: the cabinet load is every current sensor together. */
  readonly load_a: readonly string[];
  readonly vibration_g: string | null;
}

export const CABINET_MODEL_STREAM = 'model.iforest-cabinet';

/** Picks columns by channel name from the streams present; null when the site lacks them. */
export function cabinetColumns(streamNames: readonly string[]): CabinetModelColumns | null {
  const find = (suffix: string): string | null => streamNames.find((n) => n.endsWith(`.${suffix}`)) ?? null;
  const cols: CabinetModelColumns = {
    temperature_c: find('temperature_c'),
    humidity_pct: find('humidity_pct'),
    supply_v: find('bus_v'),
    load_a: streamNames.filter((n) => n.endsWith('.current_a')),
    vibration_g: find('vibration_rms_g'),
  };
  if (!cols.temperature_c || !cols.humidity_pct || !cols.supply_v || cols.load_a.length === 0 || !cols.vibration_g) return null;
  return cols;
}

export class CabinetModel {
  private timer: NodeJS.Timeout | undefined;
  private readonly row = new Float32Array(5);
  private busy = false;
  scored = 0;
  failures = 0;
  lastError: string | null = null;

  constructor(
    private readonly client: WorkerClient,
    private readonly pipeline: SensorPipeline,
    private readonly cols: CabinetModelColumns,
    private readonly now: () => number,
  ) {}

  start(periodMs = 1000): void {
    this.timer = setInterval(() => this.tick(), periodMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private latest(name: string): number {
    return this.pipeline.rings.get(name).latest();
  }

  private tick(): void {
    if (this.busy) return; // the previous request is still out: skip, never pile up
    const c = this.cols;
    let load = 0;
    for (const n of c.load_a) load += this.latest(n);
    const r = this.row;
    r[0] = this.latest(c.temperature_c!);
    r[1] = this.latest(c.humidity_pct!);
    r[2] = this.latest(c.supply_v!);
    r[3] = load;
    r[4] = this.latest(c.vibration_g!);
    for (let i = 0; i < 5; i++) if (Number.isNaN(r[i])) return; // not every sensor has reported yet
    this.busy = true;
    const idx = this.pipeline.indexOf(CABINET_MODEL_STREAM);
    this.client
      .request<Float32Array>('score', { model: 'iforest-cabinet', data: new Float32Array(r), rows: 1, cols: 5 }, { label: 'iforest-cabinet' })
      .then((out) => {
        this.scored++;
        this.pipeline.offer(idx, this.now(), out[0]!);
      })
      .catch((err: Error) => {
        this.failures++;
        this.lastError = err.message;
      })
      .finally(() => {
        this.busy = false;
      });
  }
}
