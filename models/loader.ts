/**
 * Loads a shipped model by name: reads models/manifest.json, hashes the .onnx file and refuses
 * it when the sha256 differs from the manifest (a corrupted flash, a hand-edited or swapped
 * model), before onnxruntime ever parses it.
 *
 *   const { session, entry } = await loadModel('flow-forecaster');
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readManifest, type ManifestEntry } from './manifest.js';
import { sha256 } from './onnx/describe.js';
import { createSession, type OrtSession } from './runtime.js';

/**
 * The folder of the shipped models: $WAYSIDE_MODELS_DIR if set, else this file's folder when
 * it holds manifest.json (running from source), else <root>/models when this file is the
 * compiled dist/models/loader.js of a release bundle (which keeps the .onnx files in models/).
 */
export const MODELS_DIR = resolveModelsDir();

function resolveModelsDir(): string {
  if (process.env.WAYSIDE_MODELS_DIR) return process.env.WAYSIDE_MODELS_DIR;
  const here = dirname(fileURLToPath(import.meta.url));
  const fromDist = join(here, '..', '..', 'models');
  return !existsSync(join(here, 'manifest.json')) && existsSync(join(fromDist, 'manifest.json')) ? fromDist : here;
}

export class ModelIntegrityError extends Error {
  override readonly name = 'ModelIntegrityError';
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`model ${file} has been changed: sha256 ${found}, the manifest expects ${expected}; refusing to load it (rebuild with \`npm run models\` or restore the file)`);
  }
}

export interface VerifiedModel {
  entry: ManifestEntry;
  path: string;
  bytes: Uint8Array;
}

export interface LoadOptions {
  /** Folder holding manifest.json and the .onnx files. Default: models/. */
  dir?: string;
}

/** Reads and hash-checks a model's bytes; throws ModelIntegrityError on a mismatch. */
export function readVerifiedModel(name: string, opts: LoadOptions = {}): VerifiedModel {
  const dir = opts.dir ?? MODELS_DIR;
  const manifest = readManifest(dir);
  const entry = manifest.models.find((m) => m.name === name || m.file === name);
  if (!entry) throw new Error(`no model "${name}" in ${join(dir, 'manifest.json')}; known: ${manifest.models.map((m) => m.name).join(', ')}`);
  const path = join(dir, entry.file);
  const bytes = new Uint8Array(readFileSync(path));
  const found = sha256(bytes);
  if (found !== entry.sha256) throw new ModelIntegrityError(path, entry.sha256, found);
  return { entry, path, bytes };
}

/** readVerifiedModel, then an onnxruntime session on the verified bytes. */
export async function loadModel(name: string, opts: LoadOptions & { threads?: number } = {}): Promise<VerifiedModel & { session: OrtSession }> {
  const verified = readVerifiedModel(name, opts);
  return { ...verified, session: await createSession(verified.bytes, opts.threads ?? 1) };
}
