import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Site } from '../site/schema.js';
import { stateDirectory } from './state-directory.js';

/**
 * Where `wayside run` keeps the uplink's durable outbox:
 * 1. `--outbox FILE`;
 * 2. the site's `uplink.outbox.path` (relative to the site file) when the site has an uplink section;
 * 3. with `--mqtt` and no uplink section: `$STATE_DIRECTORY/uplink-outbox.sqlite` (systemd's
 *    StateDirectory=), else `/var/lib/wayside/uplink-outbox.sqlite`.
 * The folder is created if missing and must be writable: otherwise `OutboxPathError` names the
 * path and how to choose another, before any thread starts.
 */
export class OutboxPathError extends Error {
  override readonly name = 'OutboxPathError';
}

export const DEFAULT_STATE_DIR = '/var/lib/wayside';
export const OUTBOX_FILE = 'uplink-outbox.sqlite';

export function resolveOutboxPath(site: Site, siteDir: string, outbox: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  let path: string;
  let from: string;
  if (outbox !== undefined) {
    path = resolve(outbox);
    from = '--outbox';
  } else if (site.uplink) {
    const p = site.uplink.outbox.path;
    path = isAbsolute(p) ? p : resolve(siteDir, p);
    from = 'uplink.outbox.path';
  } else {
    const state = stateDirectory(env);
    path = join(state || DEFAULT_STATE_DIR, OUTBOX_FILE);
    from = state ? '$STATE_DIRECTORY' : 'the default outbox';
  }
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new OutboxPathError(
      `uplink outbox ${path} (${from}): folder ${dir} is not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); choose one with --outbox FILE or uplink.outbox.path, or run with STATE_DIRECTORY set`,
    );
  }
  return path;
}
