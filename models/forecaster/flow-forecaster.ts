/**
 * The shipped flow forecaster as a runtime object for the traffic strategies: load it once
 * (hash-checked), then ask for the next interval's counts per approach from the recent counts
 * the detectors saw. Shapes (approaches, lags, interval) come from the model's metadata.
 *
 *   const fc = await FlowForecaster.load();            // flow-forecaster.int8 by default
 *   const next = await fc.forecast((k, a) => counts[a][k], minuteOfDay + 7.5, false);
 */
import { metadataOf } from '../onnx/builder.js';
import { decodeModel } from '../onnx/proto.js';
import { loadModel, type LoadOptions } from '../loader.js';
import { runFloat, type OrtSession } from '../runtime.js';
import { featureRow } from './features.js';
import { DEFAULT_FORECASTER, type ForecasterTraining } from './train.js';

export class FlowForecaster {
  private readonly row: Float32Array;

  private constructor(
    private readonly session: OrtSession,
    readonly approaches: number,
    readonly lags: number,
    readonly intervalMinutes: number,
  ) {
    this.row = new Float32Array(approaches * lags + 3);
  }

  static async load(name = 'flow-forecaster.int8', opts: LoadOptions = {}): Promise<FlowForecaster> {
    const { session, bytes } = await loadModel(name, opts);
    const meta = metadataOf(decodeModel(bytes));
    if (meta.kind !== 'forecaster') throw new Error(`model ${name} is a ${meta.kind ?? 'model without kind'}, not a forecaster`);
    const t: ForecasterTraining = { ...DEFAULT_FORECASTER, ...(meta.training ? (JSON.parse(meta.training) as Partial<ForecasterTraining>) : {}) };
    return new FlowForecaster(session, t.approaches, t.lags, t.intervalMinutes);
  }

  /**
   * Counts expected per approach in the next interval. `recent(k, a)`: count of approach a,
   * k intervals ago (k = 0 is the interval just finished, up to lags − 1).
   */
  async forecast(recent: (k: number, a: number) => number, nextMinuteOfDay: number, nextIsWeekend: boolean): Promise<Float32Array> {
    featureRow(recent, this.approaches, this.lags, nextMinuteOfDay, nextIsWeekend, this.row);
    const out = await runFloat(this.session, this.row, 1, this.row.length);
    return out[this.session.outputNames[0]!]!;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
