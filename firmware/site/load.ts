import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { siteSchema, type Site } from './schema.js';

/** One problem in a site file, with where it is (`lamps.phases.2.green`). */
export interface SiteProblem {
  path: string;
  message: string;
}

export class SiteError extends Error {
  override readonly name = 'SiteError';
  constructor(
    readonly file: string,
    readonly problems: SiteProblem[],
  ) {
    super(`${file}: ${problems.length} problem(s)\n` + problems.map((p) => `  ${p.path}: ${p.message}`).join('\n'));
  }
}

/** Parses YAML text and validates it against the schema; every schema problem is reported at once. */
export function parseSite(text: string, file = '<site>'): Site {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new SiteError(
      file,
      doc.errors.map((e) => ({ path: `line ${e.linePos?.[0]?.line ?? '?'}`, message: e.message.split('\n')[0] ?? e.message })),
    );
  }
  const result = siteSchema.safeParse(doc.toJS());
  if (!result.success) {
    throw new SiteError(
      file,
      result.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })),
    );
  }
  return result.data;
}

export async function loadSite(file: string): Promise<Site> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new SiteError(file, [{ path: '(file)', message: (err as Error).message }]);
  }
  return parseSite(text, file);
}
