import { chmod, open, readFile } from 'node:fs/promises';
import { Fernet, MultiFernet, decodeKey } from './fernet.js';

/**
 * Key files hold what Python's `Fernet.generate_key()` returns: 44 characters of url-safe
 * base64 (32 bytes). A file may hold several keys, one a line (blank lines and `#` comments
 * ignored); with several files the keys are taken in order. The first key of the ring
 * encrypts, every key decrypts: rotate by putting the new key first, retire the old later.
 */
export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${detail}`);
  }
}

export async function readKeys(files: readonly string[]): Promise<string[]> {
  const keys: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new KeyFileError(file, undefined, `cannot read key file: ${(err as Error).message}`);
    }
    const before = keys.length;
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      try {
        decodeKey(line);
      } catch (err) {
        throw new KeyFileError(file, i + 1, (err as Error).message);
      }
      keys.push(line);
    });
    if (keys.length === before) throw new KeyFileError(file, undefined, 'holds no key');
  }
  if (keys.length === 0) throw new KeyFileError('(no key file)', undefined, 'at least one key file is needed');
  return keys;
}

export async function readKeyRing(files: readonly string[]): Promise<MultiFernet> {
  return new MultiFernet(await readKeys(files));
}

/** Writes a new key with mode 0600; refuses to replace an existing file unless `force`. */
export async function writeNewKeyFile(file: string, opts: { force?: boolean } = {}): Promise<string> {
  const key = Fernet.generateKey();
  const fh = await open(file, opts.force ? 'w' : 'wx', 0o600);
  try {
    await fh.writeFile(key + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  // open()'s mode only applies when the file is created (and is masked by umask).
  await chmod(file, 0o600);
  return key;
}
