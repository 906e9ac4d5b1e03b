import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Finds a source-tree folder (dashboard files, shipped models) from a module's location, both
 * when running the TypeScript sources and from the compiled dist/ tree, which holds only .js:
 * walks up from `from` until `relative/marker` exists.
 */
export function findAssetDir(from: string, relative: string, marker: string): string {
  let dir = from;
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, relative);
    if (existsSync(join(candidate, marker))) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(`cannot find ${relative}/${marker} above ${from}`);
}
