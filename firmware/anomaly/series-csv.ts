/**
 * The NAB series format: a `timestamp,value` header, then one `timestamp,value` row per
 * sample. Timestamps are `YYYY-MM-DD HH:MM[:SS[.ffffff]]` (a `T` and a final
 * `Z` are accepted), read as UTC; values are finite decimal numbers.
 *
 * Parsing is strict because a silently skipped row would shift every score after it: any
 * malformed row is a CsvFormatError naming its line (1-based, the header is line 1) and
 * column (1 = timestamp, 2 = value). Rows are kept in file order even where a timestamp
 * goes back (NAB's own files have a few such rows): the row order is the stream order.
 */
export class CsvFormatError extends Error {
  override readonly name = 'CsvFormatError';
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
  }
}

export interface Series {
  /** Timestamps as written, for echoing them back unchanged. */
  readonly timestampText: readonly string[];
  readonly valueText: readonly string[];
  readonly tMs: Float64Array;
  readonly values: Float64Array;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?Z?$/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function parseTimestamp(text: string): number {
  const m = TIMESTAMP.exec(text);
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s, frac] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return Number.NaN;
  const ms = frac === undefined ? 0 : Math.round(Number(`0.${frac}`) * 1000);
  const t = Date.UTC(Number(y), month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 2014-02-30 over into March: refuse dates that do not exist.
  if (new Date(t).getUTCDate() !== day) return Number.NaN;
  return t;
}

export function parseSeriesCsv(text: string): Series {
  const lines = text.split('\n');
  const terminated = text.endsWith('\n');
  if (terminated) lines.pop();
  if (lines.length === 0 || lines[0]!.replace(/\r$/, '').trim() === '') throw new CsvFormatError(1, 1, 'empty file: expected the header "timestamp,value"');
  const header = lines[0]!.replace(/\r$/, '').replace(/^\uFEFF/, '').split(',').map((h) => h.trim());
  if (header.length !== 2 || header[0] !== 'timestamp' || header[1] !== 'value') {
    throw new CsvFormatError(1, 1, `header must be "timestamp,value", got "${lines[0]}"`);
  }
  const rows = lines.length - 1;
  const timestampText: string[] = new Array(rows);
  const valueText: string[] = new Array(rows);
  const tMs = new Float64Array(rows);
  const values = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const lineNo = r + 2;
    const raw = lines[r + 1]!.replace(/\r$/, '');
    const last = r === rows - 1 && !terminated;
    const truncated = last ? ' (the file ends in the middle of this row: truncated?)' : '';
    const cells = raw.split(',');
    if (raw.trim() === '') throw new CsvFormatError(lineNo, 1, 'empty row');
    if (cells.length < 2) throw new CsvFormatError(lineNo, 2, `missing the value column${truncated}`);
    if (cells.length > 2) throw new CsvFormatError(lineNo, 3, `expected 2 columns (timestamp,value), got ${cells.length}`);
    const ts = cells[0]!.trim();
    const t = parseTimestamp(ts);
    if (Number.isNaN(t)) throw new CsvFormatError(lineNo, 1, `"${ts}" is not a timestamp like 2014-04-10 07:15:00${truncated}`);
    const vs = cells[1]!.trim();
    const v = NUMBER.test(vs) ? Number(vs) : Number.NaN;
    if (!Number.isFinite(v)) throw new CsvFormatError(lineNo, 2, `"${vs}" is not a finite number${truncated}`);
    timestampText[r] = ts;
    valueText[r] = vs;
    tMs[r] = t;
    values[r] = v;
  }
  return { timestampText, valueText, tMs, values };
}

/** Formats scored rows as `timestamp,value,anomaly_score`, the NAB results format. */
export function formatScoredCsv(series: Series, scores: ArrayLike<number>): string {
  const out: string[] = ['timestamp,value,anomaly_score'];
  for (let i = 0; i < series.values.length; i++) out.push(`${series.timestampText[i]},${series.valueText[i]},${scores[i]}`);
  return out.join('\n') + '\n';
}
