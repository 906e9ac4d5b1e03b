import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { lstat, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/**
 * The release manifest: sha256 of every file in a bundle (and the target of every symlink),
 * in sorted order so the same tree always gives the same bytes. Signed with ed25519 when a
 * signing key is given; the device keeps the public key and refuses a bundle whose files,
 * manifest or signature do not match before `current` is switched.
 */
export const MANIFEST = 'MANIFEST.json';
export const SIGNATURE = 'MANIFEST.sig';

export interface Manifest {
  readonly format: 'wayside-manifest/1';
  readonly version: string;
  /** Relative path (with `/`) → `sha256:<hex>` for files, `link:<target>` for symlinks. */
  readonly files: Readonly<Record<string, string>>;
}

async function walk(root: string, dir: string, out: Map<string, string>): Promise<void> {
  const entries = (await readdir(dir)).sort();
  for (const name of entries) {
    const path = join(dir, name);
    const rel = relative(root, path).split(sep).join('/');
    if (rel === MANIFEST || rel === SIGNATURE) continue;
    const st = await lstat(path);
    if (st.isSymbolicLink()) out.set(rel, `link:${await readlink(path)}`);
    else if (st.isDirectory()) await walk(root, path, out);
    else if (st.isFile()) out.set(rel, 'sha256:' + createHash('sha256').update(await readFile(path)).digest('hex'));
  }
}

export async function hashTree(dir: string): Promise<Record<string, string>> {
  const out = new Map<string, string>();
  await walk(dir, dir, out);
  return Object.fromEntries([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function manifestBytes(m: Manifest): Buffer {
  return Buffer.from(JSON.stringify(m, null, 1) + '\n');
}

function privateKey(pem: string | Buffer): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`signing key is ${key.asymmetricKeyType}, not ed25519`);
  return key;
}

/** Writes MANIFEST.json (and MANIFEST.sig when a PEM private key is given) into `dir`. */
export async function writeManifest(dir: string, version: string, signingKeyPem?: string | Buffer): Promise<Manifest> {
  const manifest: Manifest = { format: 'wayside-manifest/1', version, files: await hashTree(dir) };
  const bytes = manifestBytes(manifest);
  await writeFile(join(dir, MANIFEST), bytes);
  if (signingKeyPem !== undefined) {
    await writeFile(join(dir, SIGNATURE), sign(null, bytes, privateKey(signingKeyPem)).toString('base64') + '\n');
  }
  return manifest;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly version: string | null;
  readonly signed: boolean;
  /** Every mismatch, e.g. `dist/firmware/cli/main.js: sha256 differs`. */
  readonly problems: string[];
}

/**
 * Checks a bundle against its manifest: every listed file present with its hash, no file
 * that the manifest does not list, and — when `publicKeyPem` is given — a valid ed25519
 * signature over the manifest bytes (a missing signature is then a problem too).
 */
export async function verifyBundle(dir: string, publicKeyPem?: string | Buffer): Promise<VerifyResult> {
  const problems: string[] = [];
  let raw: Buffer;
  try {
    raw = await readFile(join(dir, MANIFEST));
  } catch {
    return { ok: false, version: null, signed: false, problems: [`${MANIFEST} missing in ${dir}`] };
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(raw.toString('utf8')) as Manifest;
    if (manifest.format !== 'wayside-manifest/1' || typeof manifest.files !== 'object') throw new Error('not a wayside manifest');
  } catch (err) {
    return { ok: false, version: null, signed: false, problems: [`${MANIFEST}: ${(err as Error).message}`] };
  }
  let signed = false;
  let sig: Buffer | null = null;
  try {
    sig = Buffer.from((await readFile(join(dir, SIGNATURE), 'utf8')).trim(), 'base64');
  } catch {
    sig = null;
  }
  if (publicKeyPem !== undefined) {
    const key = createPublicKey(publicKeyPem);
    if (key.asymmetricKeyType !== 'ed25519') problems.push(`verify key is ${key.asymmetricKeyType}, not ed25519`);
    else if (!sig) problems.push(`${SIGNATURE} missing: the device requires signed releases`);
    else if (!verify(null, raw, key, sig)) problems.push(`${SIGNATURE}: signature does not match ${MANIFEST} (wrong key or tampered manifest)`);
    else signed = true;
  }
  const actual = await hashTree(dir);
  for (const [path, want] of Object.entries(manifest.files)) {
    const got = actual[path];
    if (got === undefined) problems.push(`${path}: missing`);
    else if (got !== want) problems.push(`${path}: ${want.startsWith('link:') ? 'link target' : 'sha256'} differs`);
  }
  for (const path of Object.keys(actual)) if (!(path in manifest.files)) problems.push(`${path}: not in the manifest`);
  return { ok: problems.length === 0, version: manifest.version, signed, problems };
}
