/**
 * Detector counts from a CSV, for training the forecaster on a cabinet's own logs:
 *   weekday,minute,<approach 1>,<approach 2>,…
 * weekday 0 = Monday … 6 = Sunday, minute = start of the interval within the day, then one
 * count column per approach. Rows are consecutive intervals of a fixed length (inferred from the
 * first two rows, dividing a day); a gap or a jump is an error naming its line.
 */
import { CsvFormatError, type NumericTable } from '../numeric-csv.js';
import type { CountSeries } from './features.js';

export function countsFromTable(table: NumericTable, file: string): CountSeries {
  const { header, rows, data } = table;
  const w = header.length;
  if (header[0] !== 'weekday' || header[1] !== 'minute' || w < 3) {
    throw new CsvFormatError(`${file}:1: a counts CSV starts with weekday,minute then one column per approach (got ${header.join(',')})`, file, 1, 1);
  }
  if (rows < 2) throw new CsvFormatError(`${file}: at least two rows are needed to know the interval`, file, 3, null);
  // data lines are numbered from 2 (the header is line 1; blank lines are not expected in logs)
  const step = (((data[w + 1]! - data[1]!) % 1440) + 1440) % 1440;
  if (!(step > 0 && Number.isInteger(step) && 1440 % step === 0)) {
    throw new CsvFormatError(`${file}:3: column 2 ("minute"): interval ${step} min inferred from the first two rows does not divide a day`, file, 3, 2);
  }
  const approaches = w - 2;
  const counts = new Float64Array(rows * approaches);
  for (let r = 0; r < rows; r++) {
    const weekday = data[r * w]!;
    const minute = data[r * w + 1]!;
    if (!Number.isInteger(weekday) || weekday < 0 || weekday > 6) throw new CsvFormatError(`${file}:${r + 2}: column 1 ("weekday"): ${weekday} is not 0–6`, file, r + 2, 1);
    if (!Number.isInteger(minute) || minute < 0 || minute >= 1440 || minute % step !== 0) {
      throw new CsvFormatError(`${file}:${r + 2}: column 2 ("minute"): ${minute} is not a multiple of ${step} in 0–1439`, file, r + 2, 2);
    }
    if (r > 0) {
      const prev = data[(r - 1) * w]! * 1440 + data[(r - 1) * w + 1]!;
      const expected = (prev + step) % (7 * 1440);
      if (weekday * 1440 + minute !== expected) {
        throw new CsvFormatError(`${file}:${r + 2}: expected the interval after weekday ${data[(r - 1) * w]} minute ${data[(r - 1) * w + 1]} (weekday ${Math.floor(expected / 1440)} minute ${expected % 1440}): rows must be consecutive`, file, r + 2, 2);
      }
    }
    for (let a = 0; a < approaches; a++) {
      const v = data[r * w + 2 + a]!;
      if (v < 0) throw new CsvFormatError(`${file}:${r + 2}: column ${a + 3} ("${header[a + 2]}"): count ${v} is negative`, file, r + 2, a + 3);
      counts[r * approaches + a] = v;
    }
  }
  return { counts, intervals: rows, approaches, intervalMinutes: step, startWeekday: data[0]!, startInterval: data[1]! / step };
}
