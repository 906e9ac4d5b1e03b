/**
 * Trains the flow forecaster on simulated counts and exports it: the recipe shared by
 * `wayside models train --kind forecaster` and `wayside models build-shipped`. The training
 * parameters go into the model's metadata (`training`), so the held-out days can be
 * re-simulated later to evaluate a quantized copy (`heldOutFromMetadata`).
 */
import { encodeModel, type ModelProto } from '../onnx/proto.js';
import { forecasterToOnnx } from './export.js';
import { buildDataset, featureNames, type CountSeries, type Dataset } from './features.js';
import { meanAbsoluteError, Mlp } from './mlp.js';
import { simulateCounts } from './simulated-counts.js';

export interface ForecasterTraining {
  days: number;
  heldOutDays: number;
  intervalMinutes: number;
  approaches: number;
  lags: number;
  hidden: number[];
  epochs: number;
  seed: number;
  /** Where the counts came from: re-simulated from these parameters, or a counts CSV. */
  source?: 'simulated' | 'csv';
}

export const DEFAULT_FORECASTER: ForecasterTraining = {
  days: 70,
  heldOutDays: 14,
  intervalMinutes: 15,
  approaches: 4,
  lags: 4,
  hidden: [128, 128],
  epochs: 12,
  seed: 7,
};

export function forecasterDatasets(p: ForecasterTraining, series?: CountSeries): { train: Dataset; test: Dataset } {
  const sim = series ?? simulateCounts({ days: p.days, intervalMinutes: p.intervalMinutes, approaches: p.approaches, seed: p.seed });
  const perDay = Math.round(1440 / sim.intervalMinutes);
  const split = sim.intervals - p.heldOutDays * perDay;
  if (split < p.lags + perDay) throw new Error(`held-out days (${p.heldOutDays}) leave less than a day of training data in ${sim.intervals} intervals`);
  return { train: buildDataset(sim, p.lags, 0, split), test: buildDataset(sim, p.lags, split, sim.intervals) };
}

export interface TrainedForecaster {
  mlp: Mlp;
  model: ModelProto;
  bytes: Uint8Array;
  training: ForecasterTraining;
  metrics: { trainRows: number; testRows: number; maeHeldOut: number; maePersistence: number };
}

/**
 * Trains on simulated counts, or on `series` (a counts CSV) when given: then approaches,
 * interval and days come from the series, and `source` is recorded as 'csv'.
 */
export function trainForecaster(overrides: Partial<ForecasterTraining> = {}, metadata: Record<string, string> = {}, series?: CountSeries): TrainedForecaster {
  let p: ForecasterTraining = { ...DEFAULT_FORECASTER, ...overrides, source: series ? 'csv' : 'simulated' };
  if (series) p = { ...p, approaches: series.approaches, intervalMinutes: series.intervalMinutes, days: series.intervals / Math.round(1440 / series.intervalMinutes) };
  const { train, test } = forecasterDatasets(p, series);
  const mlp = new Mlp([train.nIn, ...p.hidden, train.nOut], p.seed);
  mlp.fit(train, { hidden: p.hidden, epochs: p.epochs, seed: p.seed });
  const maeHeldOut = meanAbsoluteError(mlp.predict(test.X, test.rows), test.Y);
  // persistence (next = last) is the forecast to beat
  let persistence = 0;
  for (let r = 0; r < test.rows; r++) for (let a = 0; a < test.nOut; a++) persistence += Math.abs(test.X[r * test.nIn + a]! - test.Y[r * test.nOut + a]!);
  const model = forecasterToOnnx(mlp, {
    featureNames: featureNames(p.approaches, p.lags),
    outputNames: Array.from({ length: p.approaches }, (_, a) => `a${a}_next`),
    metadata: {
      training: JSON.stringify(p),
      training_data: series
        ? `counts CSV, ${p.approaches} approaches, ${p.intervalMinutes}-min intervals, ${train.rows} rows train + ${test.rows} held out (the last ${p.heldOutDays} days)`
        : `simulated counts (models/forecaster/simulated-counts.ts), ${p.approaches} approaches, ${p.intervalMinutes}-min intervals, ${p.days - p.heldOutDays} days train + ${p.heldOutDays} held out, seed ${p.seed}`,
      ...metadata,
    },
  });
  return {
    mlp,
    model,
    bytes: encodeModel(model),
    training: p,
    metrics: { trainRows: train.rows, testRows: test.rows, maeHeldOut, maePersistence: persistence / (test.rows * test.nOut) },
  };
}

/**
 * The held-out set a forecaster was evaluated on: re-simulated from its `training` metadata, or
 * the last days of `series` for a model trained on a counts CSV (which must then be given).
 */
export function heldOutFromMetadata(meta: Record<string, string>, series?: CountSeries): Dataset {
  if (!meta.training) throw new Error('the model has no "training" metadata: it was not trained by wayside');
  const p = { ...DEFAULT_FORECASTER, ...(JSON.parse(meta.training) as Partial<ForecasterTraining>) };
  if (p.source === 'csv' && !series) throw new Error('the model was trained on a counts CSV: give that CSV to evaluate it');
  if (series && (series.approaches !== p.approaches || series.intervalMinutes !== p.intervalMinutes)) {
    throw new Error(`the counts have ${series.approaches} approaches at ${series.intervalMinutes} min, the model ${p.approaches} at ${p.intervalMinutes} min`);
  }
  return forecasterDatasets(p, series).test;
}
