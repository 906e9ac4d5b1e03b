import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseSeriesCsv } from '../../firmware/anomaly/series-csv.js';

const main = join(import.meta.dirname, '../../firmware/cli/main.ts');
const wayside = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' });

function csv(rows: number, spikeAt: number): string {
  const lines = ['timestamp,value'];
  for (let i = 0; i < rows; i++) {
    const t = new Date(Date.UTC(2014, 0, 1) + i * 300_000).toISOString().replace('T', ' ').slice(0, 19);
    lines.push(`${t},${i === spikeAt ? 500 : (50 + 5 * Math.sin(i / 10)).toFixed(3)}`);
  }
  return lines.join('\n') + '\n';
}

describe('wayside anomaly score', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wayside-anomaly-'));

  it('round-trips a series: one output row per input row, timestamps and values echoed, scores in [0, 1]', () => {
    const input = join(dir, 'in.csv');
    const output = join(dir, 'out.csv');
    writeFileSync(input, csv(600, 500));
    const r = wayside('anomaly', 'score', '--input', input, '--output', output, '--json');
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.rows, 600);
    const out = readFileSync(output, 'utf8').trimEnd().split('\n');
    assert.equal(out[0], 'timestamp,value,anomaly_score');
    assert.equal(out.length, 601);
    const src = parseSeriesCsv(readFileSync(input, 'utf8'));
    for (let i = 0; i < 600; i++) {
      const [ts, v, s] = out[i + 1]!.split(',');
      assert.equal(ts, src.timestampText[i]);
      assert.equal(v, src.valueText[i]);
      assert.ok(Number(s) >= 0 && Number(s) <= 1);
    }
    const spike = Number(out[501]!.split(',')[2]);
    assert.ok(spike > 0.5, `spike scored ${spike}`);
  });

  it('names the file, line and column of a malformed row, exit 1', () => {
    const input = join(dir, 'bad.csv');
    writeFileSync(input, 'timestamp,value\n2014-01-01 00:00:00,1\n2014-01-01 00:05:00,oops\n');
    const r = wayside('anomaly', 'score', '--input', input, '--output', join(dir, 'x.csv'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.csv: line 3, column 2: "oops" is not a finite number/);
  });

  it('refuses a truncated file', () => {
    const input = join(dir, 'cut.csv');
    writeFileSync(input, csv(50, -1).slice(0, -8));
    const r = wayside('anomaly', 'score', '--input', input, '--output', join(dir, 'x.csv'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /line 51, column \d: .*truncated/);
  });

  it('lists the valid detectors for an unknown name, exit 2', () => {
    const r = wayside('anomaly', 'score', '--input', 'x', '--output', 'y', '--detector', 'nope');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown detector "nope"; valid: .*seed/);
  });

  it('names a missing input file, exit 3', () => {
    const r = wayside('anomaly', 'score', '--input', join(dir, 'missing.csv'), '--output', join(dir, 'x.csv'));
    assert.equal(r.status, 3);
    assert.match(r.stderr, /missing\.csv: cannot read \(ENOENT\)/);
  });
});
