import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { Fernet, MultiFernet } from '../../firmware/uplink/fernet.js';

// Debian's python, not whatever python3 comes first on PATH: that is where
// python3-cryptography is installed (.ci/setup-test.sh).
const PYTHON = '/usr/bin/python3';

function python(script: string, input: string): string {
  const r = spawnSync(PYTHON, ['-c', script], { input, encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw new Error(`cannot run ${PYTHON}: ${r.error.message} (install python3 and python3-cryptography: npm run setup:test)`);
  if (r.status !== 0) throw new Error(`${PYTHON} failed: ${r.stderr}`);
  return r.stdout.trim();
}

describe('Fernet interoperability with Python cryptography', () => {
  before(() => {
    const r = spawnSync(PYTHON, ['-c', 'import cryptography.fernet'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) {
      throw new Error(
        `${PYTHON} with the cryptography package is required for the interop test ` +
          `(Debian: apt-get install python3-cryptography, or npm run setup:test): ${r.error?.message ?? r.stderr}`,
      );
    }
  });

  it('Python decrypts what Node encrypts', () => {
    const key = Fernet.generateKey();
    const msg = JSON.stringify({ device: 'cab-1', seq: 7, ts: 1_700_000_000_000, note: 'héllo ✓' });
    const token = new Fernet(key).encrypt(msg);
    const out = python(
      'import sys,json\nfrom cryptography.fernet import Fernet\nk,t=sys.stdin.read().split()\nsys.stdout.write(Fernet(k.encode()).decrypt(t.encode(), ttl=60).hex())',
      `${key}\n${token}\n`,
    );
    assert.equal(Buffer.from(out, 'hex').toString('utf8'), msg);
  });

  it('Node decrypts what Python encrypts, with a Python-generated key, and a MultiFernet ring', () => {
    const out = python(
      'from cryptography.fernet import Fernet, MultiFernet\nk1=Fernet.generate_key(); k2=Fernet.generate_key()\n' +
        'print(k1.decode()); print(k2.decode())\n' +
        'print(Fernet(k1).encrypt(b"from python").decode())\n' +
        'print(MultiFernet([Fernet(k2), Fernet(k1)]).encrypt(b"rotated").decode())',
      '',
    );
    const [k1, k2, t1, t2] = out.split('\n');
    assert.equal(new Fernet(k1!).decrypt(t1!, { ttlS: 60 }).toString(), 'from python');
    assert.equal(new Fernet(k2!).decrypt(t2!).toString(), 'rotated');
    const ring = new MultiFernet([k1!, k2!]);
    assert.equal(ring.decrypt(t1!).toString(), 'from python');
    assert.equal(ring.decrypt(t2!).toString(), 'rotated');
  });

  it('Python refuses a Node token under a different key', () => {
    const token = new Fernet(Fernet.generateKey()).encrypt('x');
    const out = python(
      'import sys\nfrom cryptography.fernet import Fernet, InvalidToken\nt=sys.stdin.read().strip()\ntry:\n  Fernet(Fernet.generate_key()).decrypt(t.encode()); print("accepted")\nexcept InvalidToken:\n  print("refused")',
      token,
    );
    assert.equal(out, 'refused');
  });
});
