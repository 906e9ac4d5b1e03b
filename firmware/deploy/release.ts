import { lstat, readdir, readFile, readlink, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { HealthProbe } from './health.js';

/**
 * The on-device release layout under a root:
 *   /opt/wayside/releases/<version>/   one directory per installed bundle
 *   /opt/wayside/current -> releases/<version>   (relative, so it also works inside a rootfs)
 *   /opt/wayside/pending.json          a switch not yet confirmed healthy (wayside-guard reads it)
 */
export function layout(root: string) {
  const opt = join(root, 'opt/wayside');
  return { opt, releases: join(opt, 'releases'), current: join(opt, 'current'), pending: join(opt, 'pending.json') };
}

export async function currentRelease(root: string): Promise<string | null> {
  try {
    return basename(await readlink(layout(root).current));
  } catch {
    return null;
  }
}

/**
 * Points `current` at releases/<version> atomically: a new symlink under a temporary name
 * is renamed over the old one (rename(2) replaces it in one step), so a power cut leaves
 * either the old or the new release, never no `current`.
 */
export async function switchCurrent(root: string, version: string): Promise<void> {
  const { current, releases } = layout(root);
  await stat(join(releases, version)); // throws ENOENT for a release that is not installed
  const tmp = `${current}.tmp-${process.pid}`;
  await rm(tmp, { force: true });
  await symlink(`releases/${version}`, tmp);
  await rename(tmp, current);
}

/** Installed versions, newest first (by the time their directory was moved into place). */
export async function listReleases(root: string): Promise<string[]> {
  const { releases } = layout(root);
  let names: string[];
  try {
    names = (await readdir(releases)).filter((n) => !n.startsWith('.'));
  } catch {
    return [];
  }
  const withTime = await Promise.all(names.map(async (n) => ({ n, t: (await lstat(join(releases, n))).mtimeMs })));
  return withTime.sort((a, b) => b.t - a.t || (a.n < b.n ? 1 : -1)).map((x) => x.n);
}

/** Deletes all but the `keep` newest releases, never one named in `protect` (current, previous). */
export async function pruneReleases(root: string, keep: number, protect: readonly (string | null)[]): Promise<string[]> {
  const removed: string[] = [];
  const all = await listReleases(root);
  for (const [i, v] of all.entries()) {
    if (i < keep || protect.includes(v)) continue;
    await rm(join(layout(root).releases, v), { recursive: true, force: true });
    removed.push(v);
  }
  return removed;
}

export interface Pending {
  readonly version: string;
  readonly previous: string | null;
  readonly health: HealthProbe;
  readonly deadlineS: number;
}

export async function writePending(root: string, p: Pending): Promise<void> {
  await writeFile(layout(root).pending, JSON.stringify(p, null, 2) + '\n', { mode: 0o644 });
}

export async function readPending(root: string): Promise<Pending | null> {
  try {
    return JSON.parse(await readFile(layout(root).pending, 'utf8')) as Pending;
  } catch {
    return null;
  }
}

export async function clearPending(root: string): Promise<void> {
  await unlink(layout(root).pending).catch(() => undefined);
}
