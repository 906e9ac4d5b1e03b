import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROFILES, probationLength } from '../../firmware/anomaly/nab/profiles.js';
import { type LabelledSeries, scaledSigmoid, scoreAtThreshold, scoreCorpus, sweep } from '../../firmware/anomaly/nab/scorer.js';

const standard = PROFILES[0]!;
const lowFn = PROFILES[2]!;

/** A 1000-row series, one row per minute, with windows given as row ranges. */
function series(windows: [number, number][], rows = 1000): LabelledSeries {
  const tMs = new Float64Array(rows);
  for (let i = 0; i < rows; i++) tMs[i] = i * 60_000;
  return { name: 'hand-made', tMs, windows: windows.map(([a, b]) => [a * 60_000, b * 60_000] as const) };
}

/** Scores that are 1 at the given rows and 0 elsewhere. */
function detections(rows: number[], n = 1000): Float64Array {
  const s = new Float64Array(n);
  for (const r of rows) s[r] = 1;
  return s;
}

describe('NAB scorer on hand-made cases', () => {
  const file = series([[400, 499]]);
  const swept = sweep(file, standard);
  const at = (rows: number[]) => scoreAtThreshold(swept, detections(rows), 0.5, standard);

  it('probation is the first 15 % of the rows, at most 750', () => {
    assert.equal(probationLength(1000), 150);
    assert.equal(probationLength(4032), 604);
    assert.equal(probationLength(22695), 750);
  });

  it('the scaled sigmoid is about 0.987 at the window start, 0 at its end and −1 far after', () => {
    assert.ok(Math.abs(scaledSigmoid(-1) - 0.9866) < 1e-3);
    assert.equal(scaledSigmoid(0), 0);
    assert.equal(scaledSigmoid(3.5), -1);
  });

  it('a detection at the first row of a window earns A_TP', () => {
    assert.ok(Math.abs(at([400]).score - standard.tp) < 1e-12);
  });

  it('an early detection in a window scores higher than a late one', () => {
    const early = at([410]).score;
    const middle = at([450]).score;
    const late = at([495]).score;
    assert.ok(early > middle && middle > late, `${early} > ${middle} > ${late}`);
    assert.ok(late > 0);
  });

  it('only the best detection in a window counts', () => {
    assert.equal(at([410, 450, 495]).score, at([410]).score);
  });

  it('a missed window costs A_FN (and twice as much under reward_low_FN_rate)', () => {
    assert.equal(at([]).score, -standard.fn);
    assert.equal(scoreAtThreshold(sweep(file, lowFn), detections([]), 0.5, lowFn).score, -2);
  });

  it('a false positive far from any window costs A_FP', () => {
    const withFp = at([400, 200]).score;
    assert.ok(Math.abs(withFp - (standard.tp - standard.fp)) < 1e-12, `${withFp}`);
    const r = at([400, 200]);
    assert.equal(r.fp, 1);
    assert.equal(r.tp, 1);
  });

  it('a false positive just after a window costs less than one far after it', () => {
    const near = at([400, 505]).score;
    const far = at([400, 900]).score;
    assert.ok(near > far, `${near} > ${far}`);
    assert.ok(Math.abs(far - (standard.tp - standard.fp)) < 1e-3);
  });

  it('detections in the probationary period count for nothing, and a window inside it is not scored', () => {
    const early = series([[50, 100], [400, 499]]);
    const sw = sweep(early, standard);
    assert.equal(sw.scoredWindows, 1);
    const r = scoreAtThreshold(sw, detections([10, 60, 120]), 0.5, standard);
    assert.equal(r.score, -standard.fn);
    assert.equal(r.fp, 0);
  });

  it('normalises the null detector to 0 and the perfect detector to 100', () => {
    const a = series([[400, 499]]);
    const b = series([[200, 260], [700, 760]]);
    const none = scoreCorpus([a, b], [new Float64Array(1000), new Float64Array(1000)], standard);
    assert.equal(none.normalised, 0);
    const perfect = scoreCorpus([a, b], [detections([400]), detections([200, 700])], standard);
    assert.ok(Math.abs(perfect.normalised - 100) < 1e-9, `${perfect.normalised}`);
  });

  it('optimises one threshold for the corpus', () => {
    // file a: the window row scores 0.8 and an ordinary row 0.6; a threshold in (0.6, 0.8] is best
    const a = series([[400, 499]]);
    const s = new Float64Array(1000);
    s[400] = 0.8;
    s[300] = 0.6;
    const r = scoreCorpus([a], [s], standard);
    assert.equal(r.threshold, 0.8);
    assert.equal(r.tp, 1);
    assert.equal(r.fp, 0);
  });
});
