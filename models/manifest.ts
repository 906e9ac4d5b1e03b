/**
 * models/manifest.json: one entry per shipped model, written by `wayside models build-shipped`
 * and read by the loader, which refuses a file whose sha256 differs from its entry.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TensorDescription } from './onnx/describe.js';

export interface ManifestEntry {
  name: string;
  file: string;
  kind: 'iforest' | 'forecaster';
  sha256: string;
  bytes: number;
  opsets: { domain: string; version: number }[];
  inputs: TensorDescription[];
  outputs: TensorDescription[];
  /** What the model was trained on, in words and parameters. */
  training: Record<string, unknown>;
  /** Measured quality (held-out MAE, size reduction, parity), for the record. */
  metrics?: Record<string, number>;
  createdBy: string;
}

export interface Manifest {
  version: 1;
  models: ManifestEntry[];
}

export const MANIFEST_FILE = 'manifest.json';

export function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`model manifest ${path} cannot be read: ${(err as Error).message}`);
  }
  const m = JSON.parse(text) as Manifest;
  if (m.version !== 1 || !Array.isArray(m.models)) throw new Error(`model manifest ${path}: expected {"version": 1, "models": [...]}`);
  return m;
}

export function writeManifest(dir: string, manifest: Manifest): void {
  writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}
