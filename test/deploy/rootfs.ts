import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readlinkSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every path, mode, owner, link target and content hash under a root. */
export function treeHash(root: string): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = lstatSync(p);
      h.update(`${relative(root, p)} ${st.mode} ${st.uid}:${st.gid}\n`);
      if (st.isSymbolicLink()) h.update(readlinkSync(p));
      else if (st.isDirectory()) walk(p);
      else h.update(readFileSync(p));
    }
  };
  walk(root);
  return h.digest('hex');
}

/** The numeric id of a user or group in a test root's /etc/passwd or /etc/group. */
export const idOf = (root: string, file: 'passwd' | 'group', name: string) =>
  Number(readFileSync(join(root, 'etc', file), 'utf8').split('\n').find((l) => l.startsWith(`${name}:`))!.split(':')[2]);
