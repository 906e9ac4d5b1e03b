import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Fernet, InvalidToken, MultiFernet } from '../../firmware/uplink/fernet.js';

// CI clones the repository with shared/ beside it, as on the development machine.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const vectors = resolve(repoRoot, '../shared/data/fernet');

interface Vector {
  desc?: string;
  token: string;
  now: string;
  iv?: number[];
  src?: string;
  ttl_sec?: number;
  secret: string;
}

function load(name: string): Vector[] {
  const file = resolve(vectors, name);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Vector[];
  } catch (err) {
    throw new Error(`Fernet test vectors missing: ${file} (shared/ must sit beside the repository): ${(err as Error).message}`);
  }
}

const seconds = (iso: string): number => Date.parse(iso) / 1000;

describe('Fernet specification vectors', () => {
  it('generate.json: encrypting src at now with iv gives exactly the token', () => {
    const cases = load('generate.json');
    assert.ok(cases.length > 0);
    for (const v of cases) {
      const token = new Fernet(v.secret).encrypt(v.src!, { nowS: seconds(v.now), iv: Buffer.from(v.iv!) });
      assert.equal(token, v.token);
    }
  });

  it('verify.json: decrypting the token at now within ttl gives src', () => {
    const cases = load('verify.json');
    assert.ok(cases.length > 0);
    for (const v of cases) {
      const out = new Fernet(v.secret).decrypt(v.token, { ttlS: v.ttl_sec!, nowS: seconds(v.now) });
      assert.equal(out.toString('utf8'), v.src);
    }
  });

  it('invalid.json: every token is refused with InvalidToken', () => {
    const cases = load('invalid.json');
    assert.ok(cases.length >= 8);
    for (const v of cases) {
      assert.throws(
        () => new Fernet(v.secret).decrypt(v.token, { ttlS: v.ttl_sec!, nowS: seconds(v.now) }),
        InvalidToken,
        v.desc,
      );
    }
  });

  it('the signature is checked before the TTL: a forged expired token reports a bad signature', () => {
    const v = load('invalid.json').find((x) => x.desc === 'expired TTL')!;
    const other = new Fernet(Fernet.generateKey());
    assert.throws(() => other.decrypt(v.token, { ttlS: v.ttl_sec!, nowS: seconds(v.now) }), (e: InvalidToken) => e.reason === 'signature');
    assert.throws(() => new Fernet(v.secret).decrypt(v.token, { ttlS: v.ttl_sec!, nowS: seconds(v.now) }), (e: InvalidToken) => e.reason === 'expired');
  });
});

describe('Fernet keys and rings', () => {
  it('generated keys are 44 padded url-safe characters of 32 bytes', () => {
    const k = Fernet.generateKey();
    assert.match(k, /^[A-Za-z0-9_-]{43}=$/);
    assert.equal(Buffer.from(k, 'base64url').length, 32);
  });

  it('refuses keys that are not 32 bytes', () => {
    assert.throws(() => new Fernet('c2hvcnQ='), RangeError);
    assert.throws(() => new Fernet(Buffer.alloc(16)), RangeError);
  });

  it('a ring encrypts with its first key and decrypts with any (rotation)', () => {
    const oldKey = Fernet.generateKey();
    const newKey = Fernet.generateKey();
    const ring = new MultiFernet([newKey, oldKey]);
    const fromOld = new Fernet(oldKey).encrypt('old');
    assert.equal(ring.decrypt(fromOld).toString(), 'old');
    const fromRing = ring.encrypt('new');
    assert.equal(new Fernet(newKey).decrypt(fromRing).toString(), 'new');
    assert.throws(() => new Fernet(oldKey).decrypt(fromRing), InvalidToken);
    assert.throws(() => new MultiFernet([Fernet.generateKey()]).decrypt(fromRing), (e: InvalidToken) => e.reason === 'signature');
  });

  it('a ring reports an expired token as expired, not as a signature mismatch of the other keys', () => {
    const a = Fernet.generateKey();
    const ring = new MultiFernet([Fernet.generateKey(), a]);
    const token = new Fernet(a).encrypt('x', { nowS: 1000 });
    assert.throws(() => ring.decrypt(token, { ttlS: 30, nowS: 1031 }), (e: InvalidToken) => e.reason === 'expired');
    assert.equal(ring.decrypt(token, { ttlS: 30, nowS: 1030 }).toString(), 'x');
  });

  it('a flipped bit anywhere in a token is refused', () => {
    const f = new Fernet(Fernet.generateKey());
    const raw = Buffer.from(f.encrypt('payload'), 'base64url');
    for (let i = 0; i < raw.length; i += 7) {
      const bad = Buffer.from(raw);
      bad[i]! ^= 1;
      assert.throws(() => f.decrypt(bad.toString('base64').replace(/\+/g, '-').replace(/\//g, '_')), InvalidToken, `byte ${i}`);
    }
  });
});
