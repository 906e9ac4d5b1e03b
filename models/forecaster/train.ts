/**
 * Trains the flow forecaster on simulated counts and exports it: the recipe shared by
 * `wayside models train --kind forecaster` and `wayside models build-shipped`. The training
 * parameters go into the model's metadata (`training`), so the held-out days can be
 * re-simulated later to evaluate a quantized copy (`heldOutFromMetadata`).
 */
import { encodeModel, type ModelProto } from '../onnx/proto.js';
import { forecasterToOnnx } from './export.js';
import { buildDataset, featureNames, type Dataset } from './features.js';
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

export function forecasterDatasets(p: ForecasterTraining): { train: Dataset; test: Dataset } {
  if (p.heldOutDays >= p.days) throw new Error(`held-out days (${p.heldOutDays}) must be fewer than days (${p.days})`);
  const sim = simulateCounts({ days: p.days, intervalMinutes: p.intervalMinutes, approaches: p.approaches, seed: p.seed });
  const perDay = Math.round(1440 / p.intervalMinutes);
  const split = (p.days - p.heldOutDays) * perDay;
  return { train: buildDataset(sim, p.lags, 0, split), test: buildDataset(sim, p.lags, split, sim.intervals) };
}

export interface TrainedForecaster {
  mlp: Mlp;
  model: ModelProto;
  bytes: Uint8Array;
  training: ForecasterTraining;
  metrics: { trainRows: number; testRows: number; maeHeldOut: number; maePersistence: number };
}

export function trainForecaster(overrides: Partial<ForecasterTraining> = {}, metadata: Record<string, string> = {}): TrainedForecaster {
  const p = { ...DEFAULT_FORECASTER, ...overrides };
  const { train, test } = forecasterDatasets(p);
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
      training_data: `simulated counts (models/forecaster/simulated-counts.ts), ${p.approaches} approaches, ${p.intervalMinutes}-min intervals, ${p.days - p.heldOutDays} days train + ${p.heldOutDays} held out, seed ${p.seed}`,
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

/** The held-out set a forecaster was evaluated on, re-simulated from its `training` metadata. */
export function heldOutFromMetadata(meta: Record<string, string>): Dataset {
  if (!meta.training) throw new Error('the model has no "training" metadata: it was not trained on simulated counts by wayside');
  return forecasterDatasets({ ...DEFAULT_FORECASTER, ...(JSON.parse(meta.training) as Partial<ForecasterTraining>) }).test;
}
