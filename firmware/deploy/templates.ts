import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The files under deploy/ (unit templates, udev rules, sysusers, zram, sysctl). They are
 * found next to the sources (firmware/deploy → ../../deploy) and next to the compiled code
 * in a bundle (dist/firmware/deploy → ../../../deploy).
 */
const here = dirname(fileURLToPath(import.meta.url));

export function deployDir(): string {
  for (const candidate of [join(here, '../../deploy'), join(here, '../../../deploy')]) {
    if (existsSync(join(candidate, 'wayside.service.in'))) return candidate;
  }
  throw new Error(`deploy/ templates not found near ${here}`);
}

export async function readTemplate(name: string): Promise<string> {
  return readFile(join(deployDir(), name), 'utf8');
}

/** Replaces `@NAME@` placeholders (upper case only, so `@system-service` stays); every one must be given. */
export function fillTemplate(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/@([A-Z][A-Z0-9_]*)@/g, (_m, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`template placeholder @${name}@ has no value`);
    return value;
  });
}
