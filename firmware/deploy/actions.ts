import { spawnSync } from 'node:child_process';
import { chmod, chown, cp, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * An install is planned as a list of actions first and carried out second. `--dry-run`
 * prints the same list and stops, so what it shows is exactly what a real run would do.
 * Paths are absolute on the target (`/etc/wayside/site.yaml`) and joined to the root when run.
 */
export type Action =
  | { op: 'mkdir'; path: string; mode: number; owner?: string }
  | { op: 'copy-tree'; from: string; path: string }
  | { op: 'write'; path: string; content: string; mode: number; owner?: string; why: string }
  | { op: 'copy-file'; from: string; path: string; mode: number; owner?: string }
  | { op: 'symlink'; path: string; target: string }
  | { op: 'rename'; from: string; path: string }
  | { op: 'remove'; path: string }
  | { op: 'run'; argv: string[]; why: string };

const octal = (m: number) => '0' + m.toString(8).padStart(3, '0');

export function describe(a: Action): string {
  const own = 'owner' in a && a.owner ? ` ${a.owner}` : '';
  switch (a.op) {
    case 'mkdir':
      return `mkdir     ${a.path} (${octal(a.mode)}${own})`;
    case 'copy-tree':
      return `copy      ${a.from}/ -> ${a.path}/`;
    case 'write':
      return `write     ${a.path} (${octal(a.mode)}${own}, ${Buffer.byteLength(a.content)} bytes): ${a.why}`;
    case 'copy-file':
      return `copy      ${a.from} -> ${a.path} (${octal(a.mode)}${own})`;
    case 'symlink':
      return `symlink   ${a.path} -> ${a.target}`;
    case 'rename':
      return `rename    ${a.from} -> ${a.path}`;
    case 'remove':
      return `remove    ${a.path}`;
    case 'run':
      return `run       ${a.argv.join(' ')}  (${a.why})`;
  }
}

/** `user:group` → numeric ids from the target root's own /etc/passwd and /etc/group. */
async function ids(root: string, owner: string): Promise<{ uid: number; gid: number }> {
  const [user, group = user] = owner.split(':') as [string, string?];
  const find = async (file: string, name: string) => {
    const text = await readFile(join(root, file), 'utf8').catch(() => '');
    const line = text.split('\n').find((l) => l.split(':')[0] === name);
    const id = line?.split(':')[2];
    if (id === undefined) throw new Error(`${name} not found in ${join(root, file)}`);
    return Number(id);
  };
  return { uid: user === 'root' ? 0 : await find('etc/passwd', user), gid: group === 'root' ? 0 : await find('etc/group', group) };
}

async function own(root: string, path: string, owner: string | undefined): Promise<void> {
  if (!owner) return;
  const { uid, gid } = await ids(root, owner);
  await chown(path, uid, gid);
}

export async function apply(root: string, a: Action): Promise<void> {
  const at = (p: string) => join(root, p);
  switch (a.op) {
    case 'mkdir':
      await mkdir(at(a.path), { recursive: true });
      await chmod(at(a.path), a.mode);
      await own(root, at(a.path), a.owner);
      return;
    case 'copy-tree':
      await rm(at(a.path), { recursive: true, force: true });
      await cp(a.from, at(a.path), { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      return;
    case 'write':
    case 'copy-file': {
      const content = a.op === 'write' ? a.content : await readFile(a.from);
      await mkdir(dirname(at(a.path)), { recursive: true });
      // Written under a temporary name and renamed: a reader never sees half a file.
      const tmp = `${at(a.path)}.tmp-${process.pid}`;
      await writeFile(tmp, content, { mode: a.mode });
      await chmod(tmp, a.mode);
      await own(root, tmp, a.owner);
      await rename(tmp, at(a.path));
      return;
    }
    case 'symlink': {
      await mkdir(dirname(at(a.path)), { recursive: true });
      const tmp = `${at(a.path)}.tmp-${process.pid}`;
      await rm(tmp, { force: true });
      await symlink(a.target, tmp);
      await rename(tmp, at(a.path));
      return;
    }
    case 'rename':
      await rm(at(a.path), { recursive: true, force: true });
      await rename(at(a.from), at(a.path));
      return;
    case 'remove':
      await rm(at(a.path), { recursive: true, force: true });
      return;
    case 'run': {
      const r = spawnSync(a.argv[0]!, a.argv.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] });
      if (r.error) throw new Error(`${a.argv[0]}: ${r.error.message}`);
      if (r.status !== 0) throw new Error(`${a.argv.join(' ')} exited ${r.status}`);
      return;
    }
  }
}
