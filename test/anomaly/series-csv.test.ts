import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CsvFormatError, formatScoredCsv, parseSeriesCsv, parseTimestamp } from '../../firmware/anomaly/series-csv.js';

function rejects(text: string, line: number, column: number, pattern?: RegExp): void {
  assert.throws(
    () => parseSeriesCsv(text),
    (e: unknown) => {
      assert.ok(e instanceof CsvFormatError, String(e));
      assert.equal(e.line, line, e.message);
      assert.equal(e.column, column, e.message);
      if (pattern) assert.match(e.message, pattern);
      return true;
    },
  );
}

describe('NAB series CSV', () => {
  it('parses timestamps as UTC and values as numbers, keeping the text for the output', () => {
    const s = parseSeriesCsv('timestamp,value\n2014-04-10 07:15:00,1.5\n2014-04-10 07:20:00,-2e3\n');
    assert.equal(s.values.length, 2);
    assert.equal(s.tMs[0], Date.UTC(2014, 3, 10, 7, 15));
    assert.deepEqual([...s.values], [1.5, -2000]);
    assert.equal(formatScoredCsv(s, [0, 0.25]), 'timestamp,value,anomaly_score\n2014-04-10 07:15:00,1.5,0\n2014-04-10 07:20:00,-2e3,0.25\n');
  });

  it('accepts label-style timestamps with microseconds, and refuses impossible dates', () => {
    assert.equal(parseTimestamp('2014-04-10 07:15:00.000000'), Date.UTC(2014, 3, 10, 7, 15));
    assert.ok(Number.isNaN(parseTimestamp('2014-02-30 00:00:00')));
    assert.ok(Number.isNaN(parseTimestamp('10/04/2014 07:15')));
  });

  it('names line and column of a malformed value', () => rejects('timestamp,value\n2014-04-10 07:15:00,1\n2014-04-10 07:20:00,abc\n', 3, 2, /"abc"/));
  it('names line and column of a malformed timestamp', () => rejects('timestamp,value\nyesterday,1\n', 2, 1, /timestamp/));
  it('refuses a row with a missing column', () => rejects('timestamp,value\n2014-04-10 07:15:00,1\n2014-04-10 07:20:00\n', 3, 2));
  it('refuses a row with an extra column', () => rejects('timestamp,value\n2014-04-10 07:15:00,1,2\n', 2, 3));
  it('refuses an empty row in the middle', () => rejects('timestamp,value\n2014-04-10 07:15:00,1\n\n2014-04-10 07:25:00,1\n', 3, 1));
  it('refuses a wrong header', () => rejects('time,val\n2014-04-10 07:15:00,1\n', 1, 1, /header/));
  it('refuses an empty file', () => rejects('', 1, 1));
  it('refuses a file truncated in the middle of a row', () => {
    rejects('timestamp,value\n2014-04-10 07:15:00,1\n2014-04-10 07:2', 3, 2, /truncated/);
    rejects('timestamp,value\n2014-04-10 07:15:00,1\n2014-04-10 07:2,5', 3, 1, /truncated/);
    rejects('timestamp,value\n2014-04-10 07:15:00,1\n2014-04-10 07:20:00,', 3, 2, /truncated/);
  });
  it('refuses NaN and Infinity', () => {
    rejects('timestamp,value\n2014-04-10 07:15:00,NaN\n', 2, 2);
    rejects('timestamp,value\n2014-04-10 07:15:00,Infinity\n', 2, 2);
  });
});
