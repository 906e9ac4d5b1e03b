import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { forestFromOnnx } from '../../firmware/anomaly/iforest/onnx-export.js';
import { simulateCabinetTelemetry } from '../../models/cabinet/simulated-telemetry.js';
import { simulateCounts } from '../../models/forecaster/simulated-counts.js';
import { formatNumericCsv, parseNumericCsv } from '../../models/numeric-csv.js';
import { decodeModel } from '../../models/onnx/proto.js';

const cli = join(import.meta.dirname, '../../firmware/cli/main.ts');

function wayside(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('wayside models (CLI)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'wayside-models-cli-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const train = join(tmp, 'train.csv');
  const telemetry = simulateCabinetTelemetry(800, 5);
  writeFileSync(train, formatNumericCsv(telemetry.columns, telemetry.rows, telemetry.data));

  it('train → info → score round trip: the scores written are the native forest\'s to 1e-6', () => {
    const model = join(tmp, 'cab.onnx');
    const t = wayside('models', 'train', '--kind', 'iforest', '--input', train, '--output', model, '--trees', '30', '--seed', '4', '--json');
    assert.equal(t.code, 0, t.stderr);
    const trained = JSON.parse(t.stdout);
    assert.equal(trained.rows, 800);
    assert.equal(trained.psi, 256);

    const i = wayside('models', 'info', model, '--json');
    assert.equal(i.code, 0, i.stderr);
    const info = JSON.parse(i.stdout);
    assert.equal(info.sha256, trained.sha256);
    assert.deepEqual(info.inputs, [{ name: 'X', type: 'float32', shape: ['N', 5] }]);
    assert.deepEqual(
      info.outputs.map((o: { name: string }) => o.name),
      ['score', 'decision_function'],
    );
    assert.equal(info.nodeCounts['ai.onnx.ml:TreeEnsembleRegressor'], 1);
    assert.equal(info.manifest, null);
    const text = wayside('models', 'info', model);
    assert.match(text.stdout, /TreeEnsembleRegressor ×1/);

    // score a CSV whose columns are in another order, with an extra column: matched by name
    const test = simulateCabinetTelemetry(50, 9);
    const cols = ['id', ...[...test.columns].reverse()];
    const rows = new Float64Array(50 * cols.length);
    for (let r = 0; r < 50; r++) {
      rows[r * cols.length] = r;
      for (let c = 0; c < 5; c++) rows[r * cols.length + 1 + c] = test.data[r * 5 + (4 - c)]!;
    }
    writeFileSync(join(tmp, 'in.csv'), formatNumericCsv(cols, 50, rows));
    const s = wayside('models', 'score', '--model', model, '--input', join(tmp, 'in.csv'), '--output', join(tmp, 'out.csv'));
    assert.equal(s.code, 0, s.stderr);
    const out = parseNumericCsv(readFileSync(join(tmp, 'out.csv'), 'utf8'), 'out.csv');
    assert.deepEqual(out.header, [...cols, 'anomaly_score', 'decision_function']);
    const forest = forestFromOnnx(decodeModel(readFileSync(model)));
    for (let r = 0; r < 50; r++) {
      const expected = forest.score(test.data, r * 5);
      assert.ok(Math.abs(out.data[r * out.header.length + 6]! - expected) < 1e-6, `row ${r}`);
    }
  });

  it('a bad CSV is an error naming the file, line and column', () => {
    const bad = join(tmp, 'bad.csv');
    writeFileSync(bad, 'a,b\n1,2\n3,x\n');
    const r = wayside('models', 'train', '--kind', 'iforest', '--input', bad, '--output', join(tmp, 'x.onnx'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.csv:3: column 2 \("b"\): "x" is not a finite number/);
    writeFileSync(bad, 'a,b\n1,2\n3\n');
    assert.match(wayside('models', 'train', '--kind', 'iforest', '--input', bad, '--output', join(tmp, 'x.onnx')).stderr, /bad\.csv:3: 1 fields, the header has 2/);
  });

  it('usage errors exit non-zero with a message', () => {
    const r = wayside('models', 'train', '--kind', 'tree', '--output', join(tmp, 'x.onnx'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown model kind "tree"/);
    const m = wayside('models', 'score', '--model', join(tmp, 'missing.onnx'), '--input', train, '--output', join(tmp, 'o.csv'));
    assert.equal(m.code, 3);
    assert.match(m.stderr, /missing\.onnx cannot be read/);
    const s = wayside('models', 'score', '--model', join(tmp, 'cab.onnx'), '--input', join(tmp, 'bad.csv'), '--output', join(tmp, 'o.csv'));
    assert.notEqual(s.code, 0);
  });

  it('train --kind forecaster, then quantize: smaller, with held-out MAE for both', () => {
    const fp = join(tmp, 'fc.onnx');
    const t = wayside('models', 'train', '--kind', 'forecaster', '--output', fp, '--days', '10', '--held-out-days', '2', '--epochs', '2', '--hidden', '64', '--json');
    assert.equal(t.code, 0, t.stderr);
    const trained = JSON.parse(t.stdout);
    assert.deepEqual(trained.sizes, [19, 64, 4]);
    assert.ok(trained.maeHeldOut > 0);
    const q = wayside('models', 'quantize', '--input', fp, '--output', join(tmp, 'fc.int8.onnx'), '--json');
    assert.equal(q.code, 0, q.stderr);
    const summary = JSON.parse(q.stdout);
    assert.ok(summary.bytesOut < summary.bytesIn);
    assert.deepEqual(summary.quantized, ['W0', 'W1']);
    assert.ok(Math.abs(summary.maeFp32 - trained.maeHeldOut) < 1e-3, 'the held-out set is re-simulated from the metadata');
    assert.ok(summary.maeInt8 < summary.maeFp32 * 1.05);
  });

  it('train --kind forecaster on a counts CSV (weekday,minute,<approach…>), quantize with --data', () => {
    // 6 days of 30-min counts starting Friday 10:00, written as a cabinet would log them
    const sim = simulateCounts({ days: 7, intervalMinutes: 30, approaches: 3, seed: 5 });
    const start = 20; // intervals: 10:00
    const rows = 6 * 48;
    const data = new Float64Array(rows * 5);
    for (let r = 0; r < rows; r++) {
      const abs = start + r;
      data[r * 5] = (4 + Math.floor(abs / 48)) % 7;
      data[r * 5 + 1] = (abs % 48) * 30;
      for (let a = 0; a < 3; a++) data[r * 5 + 2 + a] = sim.counts[abs * 3 + a]!;
    }
    const counts = join(tmp, 'counts.csv');
    writeFileSync(counts, formatNumericCsv(['weekday', 'minute', 'north', 'south', 'east'], rows, data));
    const fp = join(tmp, 'fc-csv.onnx');
    const t = wayside('models', 'train', '--kind', 'forecaster', '--input', counts, '--output', fp, '--held-out-days', '1', '--epochs', '2', '--hidden', '16', '--json');
    assert.equal(t.code, 0, t.stderr);
    const trained = JSON.parse(t.stdout);
    assert.deepEqual(trained.sizes, [15, 16, 3]);
    assert.equal(trained.testRows, 48);
    const q = wayside('models', 'quantize', '--input', fp, '--output', join(tmp, 'fc-csv.int8.onnx'), '--data', counts, '--json');
    assert.equal(q.code, 0, q.stderr);
    const summary = JSON.parse(q.stdout);
    assert.ok(Math.abs(summary.maeFp32 - trained.maeHeldOut) < 1e-3);
    assert.equal(summary.heldOutRows, 48);
    const noData = JSON.parse(wayside('models', 'quantize', '--input', fp, '--output', join(tmp, 'x.int8.onnx'), '--json').stdout);
    assert.match(noData.note, /--data/);

    // a missing interval is an error naming its line
    const lines = readFileSync(counts, 'utf8').split('\n');
    lines.splice(10, 1);
    writeFileSync(join(tmp, 'gap.csv'), lines.join('\n'));
    const g = wayside('models', 'train', '--kind', 'forecaster', '--input', join(tmp, 'gap.csv'), '--output', join(tmp, 'g.onnx'));
    assert.equal(g.code, 1);
    assert.match(g.stderr, /gap\.csv:11: expected the interval after weekday 4 minute 840 \(weekday 4 minute 870\): rows must be consecutive/);
  });

  it('verify passes on the shipped models, and info shows a shipped model\'s manifest entry', () => {
    const r = wayside('models', 'verify', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(JSON.parse(r.stdout).every((m: { ok: boolean }) => m.ok));
    const i = wayside('models', 'info', join(import.meta.dirname, '../../models/flow-forecaster.int8.onnx'), '--json');
    const info = JSON.parse(i.stdout);
    assert.equal(info.manifest.name, 'flow-forecaster.int8');
    assert.equal(info.manifestMatch, true);
    assert.equal(info.nodeCounts.DequantizeLinear, 3);
    assert.deepEqual(info.initializerTypes, { float32: 10, int8: 3 });
  });
});
