import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashTree, verifyBundle, writeManifest } from '../../firmware/deploy/manifest.js';

let dir: string;
const kp = generateKeyPairSync('ed25519');
const priv = kp.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const pub = kp.publicKey.export({ type: 'spki', format: 'pem' }).toString();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wayside-manifest-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tree(name: string): Promise<string> {
  const d = join(dir, name);
  await mkdir(join(d, 'dist/a'), { recursive: true });
  await writeFile(join(d, 'dist/a/x.js'), 'x\n');
  await writeFile(join(d, 'b.txt'), 'b\n');
  await symlink('dist/a/x.js', join(d, 'link.js'));
  return d;
}

describe('release manifest', () => {
  it('hashes every file and symlink in sorted order; the same tree gives the same bytes', async () => {
    const a = await tree('a');
    const b = await tree('b');
    assert.deepEqual(Object.keys(await hashTree(a)), ['b.txt', 'dist/a/x.js', 'link.js']);
    assert.equal((await hashTree(a))['link.js'], 'link:dist/a/x.js');
    assert.match((await hashTree(a))['b.txt']!, /^sha256:[0-9a-f]{64}$/);
    await writeManifest(a, '1.0.0', priv);
    await writeManifest(b, '1.0.0', priv);
    assert.equal(await readFile(join(a, 'MANIFEST.json'), 'utf8'), await readFile(join(b, 'MANIFEST.json'), 'utf8'));
    assert.equal(await readFile(join(a, 'MANIFEST.sig'), 'utf8'), await readFile(join(b, 'MANIFEST.sig'), 'utf8'), 'ed25519 signatures are deterministic');
  });

  it('verifies hashes and the ed25519 signature; each kind of tampering is named', async () => {
    const d = await tree('c');
    await writeManifest(d, '2.0.0', priv);
    assert.deepEqual(await verifyBundle(d, pub), { ok: true, version: '2.0.0', signed: true, problems: [] });

    await writeFile(join(d, 'b.txt'), 'B\n');
    await rm(join(d, 'dist/a/x.js'));
    await writeFile(join(d, 'new.js'), '1\n');
    await rm(join(d, 'link.js'));
    await symlink('/etc/shadow', join(d, 'link.js'));
    const r = await verifyBundle(d, pub);
    assert.equal(r.ok, false);
    assert.deepEqual(r.problems.sort(), ['b.txt: sha256 differs', 'dist/a/x.js: missing', 'link.js: link target differs', 'new.js: not in the manifest']);
  });

  it('a key that is not ed25519 is rejected for signing', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await assert.rejects(writeManifest(await tree('d'), '1', rsa), /signing key is rsa, not ed25519/);
  });

  it('a bundle without a manifest is refused', async () => {
    const r = await verifyBundle(await tree('e'));
    assert.equal(r.ok, false);
    assert.match(r.problems[0]!, /MANIFEST\.json missing/);
  });
});
