import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../errors.js';

/**
 * `wayside models …`: train, score, inspect and quantize ONNX models, and rebuild the shipped
 * ones. Heavy modules (onnxruntime, protobufjs, the trainers) are imported inside the actions.
 *
 *   models train --kind iforest --input CSV --output FILE.onnx [--trees 100] [--max-samples 256] [--seed N]
 *   models train --kind forecaster --output FILE.onnx [--input COUNTS.csv] [--days 70] [--epochs 12] [--hidden 128,128] [--seed N]
 *   models score --model FILE --input CSV --output CSV
 *   models info FILE [--json]
 *   models quantize --input FILE --output FILE.int8.onnx [--data COUNTS.csv]
 *   models build-shipped [--dir models]
 */
export function register(program: Command): void {
  const models = program.command('models').description('Train, score, inspect and quantize ONNX models (Isolation Forest, flow forecaster)');

  models
    .command('train')
    .description('train a model and export it to ONNX')
    .requiredOption('--kind <kind>', 'iforest | forecaster')
    .requiredOption('--output <file>', 'the .onnx file to write')
    .option('--input <csv>', 'iforest: CSV of numeric feature columns with a header row; forecaster: counts CSV weekday,minute,<approach…> (default: simulated counts)')
    .option('--trees <n>', 'iforest: number of trees', '100')
    .option('--max-samples <n>', 'iforest: rows per tree (capped at the row count)', '256')
    .option('--contamination <x>', 'iforest: expected outlier share in (0, 0.5] (default: auto, offset −0.5)')
    .option('--seed <n>', 'PRNG seed (iforest default 0, forecaster default 7)')
    .option('--days <n>', 'forecaster: simulated days in all', '70')
    .option('--held-out-days <n>', 'forecaster: final days kept for evaluation', '14')
    .option('--epochs <n>', 'forecaster: training epochs', '12')
    .option('--hidden <sizes>', 'forecaster: hidden layer widths, comma-separated', '128,128')
    .option('--lags <n>', 'forecaster: past intervals per approach in the input', '4')
    .option('--json', 'print a machine-readable summary')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const kind = String(o.kind);
      const output = String(o.output);
      let summary: Record<string, unknown>;
      if (kind === 'iforest') summary = await trainIforest(o, output);
      else if (kind === 'forecaster') summary = await trainForecasterCommand(o, output);
      else throw new CliError(`--kind: unknown model kind "${kind}" (expected iforest or forecaster)`, 2);
      print(o.json === true, summary, () =>
        Object.entries(summary)
          .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`)
          .join('\n'),
      );
    });

  models
    .command('score')
    .description('run a model with onnxruntime on a CSV and write inputs plus outputs as CSV')
    .requiredOption('--model <file>', '.onnx model')
    .requiredOption('--input <csv>', 'CSV with the model\'s feature columns (by name) and a header')
    .requiredOption('--output <csv>', 'CSV to write')
    .option('--json', 'print a machine-readable summary')
    .action(async (o: { model: string; input: string; output: string; json?: boolean }) => {
      const summary = await score(o.model, o.input, o.output);
      print(o.json === true, summary, () => `scored ${summary.rows} rows with ${o.model} → ${o.output} (columns: ${summary.outputColumns.join(', ')})`);
    });

  models
    .command('info <file>')
    .description('inputs, outputs, opsets, node counts, size, sha256 and manifest entry of an ONNX file')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const info = await modelInfo(file);
      print(o.json === true, info, () => formatInfo(info));
    });

  models
    .command('quantize')
    .description('quantize MatMul weights to int8 (QDQ, per-channel) and report size and held-out accuracy')
    .requiredOption('--input <file>', 'fp32 .onnx model')
    .requiredOption('--output <file>', 'the int8 .onnx file to write')
    .option('--data <csv>', 'forecaster trained on a counts CSV: that CSV, to compare held-out MAE')
    .option('--json', 'print a machine-readable summary')
    .action(async (o: { input: string; output: string; data?: string; json?: boolean }) => {
      const summary = await quantize(o.input, o.output, o.data);
      print(o.json === true, summary, () => {
        const lines = [`${o.input}: ${summary.bytesIn} B → ${o.output}: ${summary.bytesOut} B (−${(100 * summary.sizeReduction).toFixed(1)} %)`, `quantized weights: ${summary.quantized.join(', ') || 'none'}`];
        if (summary.note) lines.push(summary.note);
        if (summary.maeFp32 !== undefined) lines.push(`held-out MAE fp32 ${summary.maeFp32.toFixed(4)}, int8 ${summary.maeInt8!.toFixed(4)} (${(100 * summary.maeIncrease!).toFixed(2)} %)`);
        return lines.join('\n');
      });
    });

  models
    .command('build-shipped')
    .description('regenerate the shipped models and manifest.json deterministically')
    .option('--dir <dir>', 'output folder (default: the models/ folder)')
    .option('--json', 'print the manifest entries')
    .action(async (o: { dir?: string; json?: boolean }) => {
      const { buildShipped } = await import('../../../models/shipped.js');
      const { MODELS_DIR } = await import('../../../models/loader.js');
      const dir = resolve(o.dir ?? MODELS_DIR);
      if (!existsSync(dir)) throw new CliError(`--dir ${dir} does not exist`, 3);
      const entries = await buildShipped(dir, o.json ? () => {} : (line) => process.stdout.write(line + '\n'));
      if (o.json) process.stdout.write(JSON.stringify(entries, null, 2) + '\n');
    });

  models
    .command('verify')
    .description('check every shipped model against the sha256 in manifest.json')
    .option('--dir <dir>', 'folder with manifest.json (default: the models/ folder)')
    .option('--json', 'print JSON')
    .action(async (o: { dir?: string; json?: boolean }) => {
      const { readVerifiedModel, MODELS_DIR } = await import('../../../models/loader.js');
      const { readManifest } = await import('../../../models/manifest.js');
      const dir = resolve(o.dir ?? MODELS_DIR);
      const results = readManifest(dir).models.map((m) => {
        try {
          readVerifiedModel(m.name, { dir });
          return { name: m.name, file: m.file, ok: true };
        } catch (err) {
          return { name: m.name, file: m.file, ok: false, error: (err as Error).message };
        }
      });
      print(o.json === true, results, () => results.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.file}${r.error ? `: ${r.error}` : ''}`).join('\n'));
      if (results.some((r) => !r.ok)) throw new CliError(`${results.filter((r) => !r.ok).length} model(s) fail verification`, 1);
    });
}

function print(json: boolean, value: unknown, text: () => string): void {
  process.stdout.write((json ? JSON.stringify(value, null, 2) : text()) + '\n');
}

function readInput(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new CliError(`${what} ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 3);
  }
}

async function readCsv(file: string) {
  const { parseNumericCsv, CsvFormatError } = await import('../../../models/numeric-csv.js');
  const text = readInput(file, '--input').toString('utf8');
  try {
    return parseNumericCsv(text, file);
  } catch (err) {
    if (err instanceof CsvFormatError) throw new CliError(err.message, 1);
    throw err;
  }
}

function intOption(o: Record<string, unknown>, key: string, flag: string, min: number, fallback?: number): number {
  const raw = o[key];
  if (raw === undefined) {
    if (fallback === undefined) throw new CliError(`${flag} is required`, 2);
    return fallback;
  }
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new CliError(`${flag} must be an integer ≥ ${min}, got "${raw}"`, 2);
  return v;
}

async function trainIforest(o: Record<string, unknown>, output: string): Promise<Record<string, unknown>> {
  if (typeof o.input !== 'string') throw new CliError('--input CSV is required for --kind iforest', 2);
  const table = await readCsv(o.input);
  const trees = intOption(o, 'trees', '--trees', 1);
  const maxSamples = intOption(o, 'maxSamples', '--max-samples', 2);
  const seed = intOption(o, 'seed', '--seed', 0, 0);
  let contamination: number | undefined;
  if (o.contamination !== undefined) {
    contamination = Number(o.contamination);
    if (!(contamination > 0 && contamination <= 0.5)) throw new CliError(`--contamination must be in (0, 0.5], got "${o.contamination}"`, 2);
  }
  const { IsolationForest } = await import('../../anomaly/iforest/forest.js');
  const { forestToOnnx } = await import('../../anomaly/iforest/onnx-export.js');
  const { encodeModel } = await import('../../../models/onnx/proto.js');
  const { sha256 } = await import('../../../models/onnx/describe.js');
  const nCols = table.header.length;
  const forest = new IsolationForest({ trees, maxSamples, seed, ...(contamination === undefined ? {} : { contamination }) }).fit(table.data, table.rows, nCols);
  const training = { data: `${basename(o.input)}: ${table.rows} rows × ${nCols} columns`, columns: table.header, trees, maxSamples, seed, contamination: contamination ?? 'auto' };
  const bytes = encodeModel(forestToOnnx(forest, { featureNames: table.header, metadata: { training: JSON.stringify(training) } }));
  writeOutput(output, bytes);
  return { kind: 'iforest', output, bytes: bytes.length, sha256: sha256(bytes), rows: table.rows, columns: table.header, trees, psi: forest.psi, nodes: forest.nodeCount, offset: forest.offset };
}

async function trainForecasterCommand(o: Record<string, unknown>, output: string): Promise<Record<string, unknown>> {
  const hidden = String(o.hidden)
    .split(',')
    .map((s) => Number(s.trim()));
  if (hidden.some((h) => !Number.isInteger(h) || h < 1)) throw new CliError(`--hidden must be comma-separated positive integers, got "${o.hidden}"`, 2);
  const { trainForecaster, DEFAULT_FORECASTER } = await import('../../../models/forecaster/train.js');
  const { sha256 } = await import('../../../models/onnx/describe.js');
  const series = typeof o.input === 'string' ? await readCounts(o.input) : undefined;
  const run = (f: () => ReturnType<typeof trainForecaster>) => {
    try {
      return f();
    } catch (err) {
      throw new CliError(`${typeof o.input === 'string' ? `${o.input}: ` : ''}${(err as Error).message}`, 1);
    }
  };
  const fc = run(() => trainForecaster({
    days: intOption(o, 'days', '--days', 2),
    heldOutDays: intOption(o, 'heldOutDays', '--held-out-days', 1),
    epochs: intOption(o, 'epochs', '--epochs', 1),
    lags: intOption(o, 'lags', '--lags', 1),
    seed: intOption(o, 'seed', '--seed', 0, DEFAULT_FORECASTER.seed),
    hidden,
  }, typeof o.input === 'string' ? { training_file: basename(o.input) } : {}, series));
  writeOutput(output, fc.bytes);
  return { kind: 'forecaster', output, bytes: fc.bytes.length, sha256: sha256(fc.bytes), sizes: fc.mlp.sizes, ...fc.metrics };
}

/** A counts CSV (weekday,minute,<approach…>) as a count series; format errors name line and column. */
async function readCounts(file: string) {
  const table = await readCsv(file);
  const { countsFromTable } = await import('../../../models/forecaster/counts-csv.js');
  const { CsvFormatError } = await import('../../../models/numeric-csv.js');
  try {
    return countsFromTable(table, file);
  } catch (err) {
    if (err instanceof CsvFormatError) throw new CliError(err.message, 1);
    throw err;
  }
}

function writeOutput(file: string, data: Uint8Array | string): void {
  if (!existsSync(dirname(resolve(file)))) throw new CliError(`--output ${file}: folder ${dirname(resolve(file))} does not exist`, 3);
  writeFileSync(file, data);
}

async function readModel(file: string, what: string) {
  const bytes = new Uint8Array(readInput(file, what));
  const { decodeModel } = await import('../../../models/onnx/proto.js');
  try {
    return { bytes, model: decodeModel(bytes) };
  } catch (err) {
    throw new CliError(`${what} ${file} is not an ONNX model: ${(err as Error).message}`, 1);
  }
}

async function score(modelFile: string, inputFile: string, outputFile: string) {
  const { bytes, model } = await readModel(modelFile, '--model');
  const { metadataOf } = await import('../../../models/onnx/builder.js');
  const table = await readCsv(inputFile);
  const meta = metadataOf(model);
  const dims = model.graph.input[0]?.type?.tensorType?.shape?.dim ?? [];
  const width = Number(dims[1]?.dimValue ?? 0);
  const wanted: string[] = meta.feature_names ? (JSON.parse(meta.feature_names) as string[]) : [];
  let columns: number[];
  if (wanted.length > 0 && wanted.every((n) => table.header.includes(n))) columns = wanted.map((n) => table.header.indexOf(n));
  else if (wanted.length > 0) {
    const missing = wanted.filter((n) => !table.header.includes(n));
    throw new CliError(`${inputFile}: missing column(s) ${missing.join(', ')} that ${modelFile} needs (it takes ${wanted.join(',')})`, 1);
  } else if (table.header.length === width) columns = table.header.map((_, i) => i);
  else throw new CliError(`${inputFile}: ${table.header.length} columns, ${modelFile} takes ${width}`, 1);
  const nIn = columns.length;
  const X = new Float32Array(table.rows * nIn);
  for (let r = 0; r < table.rows; r++) for (let c = 0; c < nIn; c++) X[r * nIn + c] = table.data[r * table.header.length + columns[c]!]!;
  const { createSession, runFloat } = await import('../../../models/runtime.js');
  let session;
  try {
    session = await createSession(bytes);
  } catch (err) {
    throw new CliError(`onnxruntime refuses ${modelFile}: ${(err as Error).message}`, 1);
  }
  const out = await runFloat(session, X, table.rows, nIn);
  const named: Record<string, string[]> = meta.output_columns ? JSON.parse(meta.output_columns) : {};
  const outHeader: string[] = [];
  const outData: Float32Array[] = [];
  const outWidth: number[] = [];
  for (const name of session.outputNames) {
    const data = out[name]!;
    const w = data.length / table.rows;
    outHeader.push(...(named[name]?.length === w ? named[name]! : w === 1 ? [name] : Array.from({ length: w }, (_, j) => `${name}_${j}`)));
    outData.push(data);
    outWidth.push(w);
  }
  await session.release();
  const header = [...table.header, ...outHeader];
  const cols = header.length;
  const rowsOut = new Float64Array(table.rows * cols);
  for (let r = 0; r < table.rows; r++) {
    let c = 0;
    for (let k = 0; k < table.header.length; k++) rowsOut[r * cols + c++] = table.data[r * table.header.length + k]!;
    // float32 results: 9 significant digits round-trip them exactly
    outData.forEach((d, k) => {
      for (let j = 0; j < outWidth[k]!; j++) rowsOut[r * cols + c++] = Number(d[r * outWidth[k]! + j]!.toPrecision(9));
    });
  }
  const { formatNumericCsv } = await import('../../../models/numeric-csv.js');
  writeOutput(outputFile, formatNumericCsv(header, table.rows, rowsOut));
  return { model: modelFile, input: inputFile, output: outputFile, rows: table.rows, outputColumns: outHeader };
}

async function modelInfo(file: string) {
  const { bytes } = await readModel(file, 'model');
  const { describeModel } = await import('../../../models/onnx/describe.js');
  const { readManifest } = await import('../../../models/manifest.js');
  const d = describeModel(bytes);
  let manifest: unknown = null;
  let manifestMatch: boolean | null = null;
  const dir = dirname(resolve(file));
  if (existsSync(resolve(dir, 'manifest.json'))) {
    try {
      const entry = readManifest(dir).models.find((m) => m.file === basename(file)) ?? null;
      manifest = entry;
      manifestMatch = entry ? entry.sha256 === d.sha256 : null;
    } catch {
      manifest = null;
    }
  }
  return { file, ...d, manifest, manifestMatch };
}

function formatInfo(info: Awaited<ReturnType<typeof modelInfo>>): string {
  const t = (x: { name: string; type: string; shape: (number | string)[] }) => `${x.name} ${x.type}[${x.shape.join(', ')}]`;
  const lines = [
    `file:      ${info.file}`,
    `size:      ${info.bytes} B`,
    `sha256:    ${info.sha256}`,
    `producer:  ${info.producer}, IR ${info.irVersion}`,
    `opsets:    ${info.opsets.map((o) => `${o.domain} ${o.version}`).join(', ')}`,
    `inputs:    ${info.inputs.map(t).join('; ')}`,
    `outputs:   ${info.outputs.map(t).join('; ')}`,
    `nodes:     ${info.nodes} (${Object.entries(info.nodeCounts)
      .map(([k, v]) => `${k} ×${v}`)
      .join(', ')})`,
    `weights:   ${info.initializers} initializers (${Object.entries(info.initializerTypes)
      .map(([k, v]) => `${k} ×${v}`)
      .join(', ')})`,
  ];
  if (info.metadata.kind) lines.push(`kind:      ${info.metadata.kind}`);
  if (info.manifest) lines.push(`manifest:  ${(info.manifest as { name: string }).name} — sha256 ${info.manifestMatch ? 'matches' : 'DOES NOT MATCH'}`);
  else lines.push('manifest:  not listed');
  return lines.join('\n');
}

async function quantize(input: string, output: string, dataFile?: string) {
  const { bytes, model } = await readModel(input, '--input');
  const { quantizeWeightsInt8 } = await import('../../../models/onnx/quantize.js');
  const { encodeModel } = await import('../../../models/onnx/proto.js');
  const { metadataOf } = await import('../../../models/onnx/builder.js');
  let result;
  try {
    result = quantizeWeightsInt8(model);
  } catch (err) {
    throw new CliError(`${input}: ${(err as Error).message}`, 1);
  }
  if (result.report.quantized.length === 0) throw new CliError(`${input}: no MatMul with a float32 2-D weight initializer to quantize`, 1);
  const q = encodeModel(result.model);
  writeOutput(output, q);
  const summary: { input: string; output: string; bytesIn: number; bytesOut: number; sizeReduction: number; quantized: string[]; maeFp32?: number; maeInt8?: number; maeIncrease?: number; heldOutRows?: number; note?: string } = {
    input,
    output,
    bytesIn: bytes.length,
    bytesOut: q.length,
    sizeReduction: 1 - q.length / bytes.length,
    quantized: result.report.quantized.map((w) => w.name),
  };
  const meta = metadataOf(model);
  const fromCsv = meta.training ? (JSON.parse(meta.training) as { source?: string }).source === 'csv' : false;
  if (meta.kind === 'forecaster' && meta.training && (!fromCsv || dataFile)) {
    const { heldOutMae } = await import('../../../models/forecaster/evaluate.js');
    const series = dataFile ? await readCounts(dataFile) : undefined;
    let fp, i8;
    try {
      fp = await heldOutMae(bytes, series);
      i8 = await heldOutMae(q, series);
    } catch (err) {
      throw new CliError(`${dataFile ?? input}: ${(err as Error).message}`, 1);
    }
    Object.assign(summary, { maeFp32: fp.mae, maeInt8: i8.mae, maeIncrease: i8.mae / fp.mae - 1, heldOutRows: fp.rows });
  } else if (fromCsv) {
    Object.assign(summary, { note: 'trained on a counts CSV: pass --data with that CSV to compare held-out MAE' });
  }
  return summary;
}
