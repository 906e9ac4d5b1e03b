/**
 * CSV of numeric columns with a header row: what `wayside models train|score` read and write.
 * Strict on purpose — a model trained on a silently mis-parsed column is worse than an error —
 * so every problem names the file, the line (1-based) and the column.
 */
export class CsvFormatError extends Error {
  override readonly name = 'CsvFormatError';
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
    readonly column: number | null,
  ) {
    super(message);
  }
}

export interface NumericTable {
  header: string[];
  rows: number;
  /** Row-major, rows × header.length. */
  data: Float64Array;
}

export function parseNumericCsv(text: string, file: string): NumericTable {
  const lines = text.split(/\r?\n/);
  let headerLine = 0;
  while (headerLine < lines.length && lines[headerLine]!.trim() === '') headerLine++;
  if (headerLine >= lines.length) throw new CsvFormatError(`${file}: empty file, expected a header row`, file, 1, null);
  const header = lines[headerLine]!.split(',').map((h) => h.trim());
  header.forEach((h, i) => {
    if (h === '') throw new CsvFormatError(`${file}:${headerLine + 1}: column ${i + 1} has an empty name in the header`, file, headerLine + 1, i + 1);
  });
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup) throw new CsvFormatError(`${file}:${headerLine + 1}: column "${dup}" appears twice in the header`, file, headerLine + 1, header.lastIndexOf(dup) + 1);
  const nCols = header.length;
  const values: number[] = [];
  let rows = 0;
  for (let l = headerLine + 1; l < lines.length; l++) {
    const line = lines[l]!;
    if (line.trim() === '') continue;
    const fields = line.split(',');
    if (fields.length !== nCols) {
      throw new CsvFormatError(`${file}:${l + 1}: ${fields.length} fields, the header has ${nCols} (${header.join(',')})`, file, l + 1, Math.min(fields.length, nCols) + 1);
    }
    for (let c = 0; c < nCols; c++) {
      const s = fields[c]!.trim();
      const v = s === '' ? NaN : Number(s);
      if (!Number.isFinite(v)) {
        throw new CsvFormatError(`${file}:${l + 1}: column ${c + 1} ("${header[c]}"): "${s}" is not a finite number`, file, l + 1, c + 1);
      }
      values.push(v);
    }
    rows++;
  }
  if (rows === 0) throw new CsvFormatError(`${file}: no data rows after the header`, file, headerLine + 2, null);
  return { header, rows, data: Float64Array.from(values) };
}

/** Writes a header and row-major values; numbers keep full precision (shortest round-trip form). */
export function formatNumericCsv(header: string[], rows: number, data: ArrayLike<number>): string {
  const cols = header.length;
  const out: string[] = [header.join(',')];
  for (let r = 0; r < rows; r++) {
    const fields: string[] = [];
    for (let c = 0; c < cols; c++) fields.push(String(data[r * cols + c]));
    out.push(fields.join(','));
  }
  return out.join('\n') + '\n';
}
