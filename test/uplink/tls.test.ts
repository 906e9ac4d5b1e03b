import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VirtualClock } from '../../drivers/hal/clock.js';
import { readKeyRing, writeNewKeyFile } from '../../firmware/uplink/key-file.js';
import { buildUplinkOptions } from '../../firmware/uplink/options.js';
import { Uplink, type UplinkOptions } from '../../firmware/uplink/uplink.js';
import { parseSite } from '../../firmware/site/load.js';
import { Mosquitto, makeTestPki, type TestPki } from '../helpers/mosquitto.js';
import { TestConsumer } from './consumer.js';

/** A site file with an uplink section, paths relative to its folder as an operator writes them. */
function siteYaml(broker: string, uplink: string): string {
  return `id: cab-tls\nlamps:\n  phases: {}\nuplink:\n  broker: ${broker}\n  key_file: keys/fleet.key\n${uplink}`;
}

describe('uplink over TLS and with a password (real Mosquitto, certificates made with openssl)', () => {
  let dir: string;
  let pki: TestPki;
  let tlsBroker: Mosquitto;
  let pwBroker: Mosquitto;
  const opened: Uplink[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wayside-tls-'));
    await mkdir(join(dir, 'pki'));
    await mkdir(join(dir, 'keys'));
    pki = await makeTestPki(join(dir, 'pki'));
    await writeNewKeyFile(join(dir, 'keys/fleet.key'));
    await writeFile(join(dir, 'mqtt.password'), 's3cret\n', { mode: 0o600 });
    tlsBroker = await Mosquitto.start({ tls: { caFile: pki.caCert, certFile: pki.serverCert, keyFile: pki.serverKey }, persistence: false });
    pwBroker = await Mosquitto.start({ users: { cabinet: 's3cret' }, persistence: false });
  });
  after(async () => {
    for (const u of opened) await u.close({ drainMs: 0 });
    await tlsBroker?.dispose();
    await pwBroker?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  async function open(yaml: string, extra: Partial<UplinkOptions> = {}): Promise<Uplink> {
    const site = parseSite(yaml, 'site.yaml');
    const opts = await buildUplinkOptions(site, { outboxPath: join(dir, `outbox-${opened.length}.sqlite`) }, dir);
    assert.ok(opts);
    const up = await Uplink.open({ ...opts, clock: new VirtualClock(), reconnectMs: 500, ...extra });
    opened.push(up);
    return up;
  }

  it('connects with the CA, client certificate and key from the site file, verification on, and delivers', async () => {
    const yaml = siteYaml(tlsBroker.url, '  tls:\n    ca: pki/ca.crt\n    cert: pki/client.crt\n    key: pki/client.key\n');
    const up = await open(yaml);
    assert.ok(await up.waitConnected(15_000), `connected over mutual TLS (${up.stats().last_error})`);
    const ring = await readKeyRing([join(dir, 'keys/fleet.key')]);
    const consumer = await TestConsumer.connect(tlsBroker.url, ring, {
      ca: readFileSync(pki.caCert),
      cert: readFileSync(pki.clientCert),
      key: readFileSync(pki.clientKey),
    });
    try {
      const seq = up.publishAlert({ type: 'door-open' });
      await consumer.until(() => consumer.seqs('cab-tls').includes(seq), 'the alert over TLS');
      assert.equal(consumer.unique.find((r) => r.seq === seq)!.body.type, 'door-open');
    } finally {
      await consumer.close();
    }
  });

  it('refuses a broker whose certificate is not signed by the configured CA', async () => {
    const up = await open(siteYaml(tlsBroker.url, '  tls:\n    ca: pki/other-ca.crt\n    cert: pki/client.crt\n    key: pki/client.key\n'));
    assert.ok(await up.waitUntil((s) => s.last_error !== null, 15_000), 'a TLS error is reported');
    assert.match(up.stats().last_error!, /certificate|self.signed|unable to verify/i);
    assert.equal(up.stats().connected, false);
  });

  it('verifies by default: without a CA the system store does not trust the test CA', async () => {
    const up = await open(siteYaml(tlsBroker.url, '  tls:\n    cert: pki/client.crt\n    key: pki/client.key\n'));
    assert.ok(await up.waitUntil((s) => s.last_error !== null, 15_000));
    assert.match(up.stats().last_error!, /certificate|self.signed|unable to verify/i);
    assert.equal(up.stats().connected, false);
  });

  it('is refused by the broker with a client certificate from another CA', async () => {
    const up = await open(siteYaml(tlsBroker.url, '  tls:\n    ca: pki/ca.crt\n    cert: pki/rogue-client.crt\n    key: pki/rogue-client.key\n'));
    assert.ok(await up.waitUntil((s) => s.last_error !== null, 15_000), 'an error is reported');
    assert.match(up.stats().last_error!, /unknown ca|certificate|handshake/i);
    assert.equal(up.stats().connected, false);
  });

  it('authenticates with username and password_file; a wrong password is refused', async () => {
    const good = await open(siteYaml(pwBroker.url, '  username: cabinet\n  password_file: mqtt.password\n'));
    assert.ok(await good.waitConnected(15_000), `connected with the password (${good.stats().last_error})`);
    const bad = await open(siteYaml(pwBroker.url, '  username: cabinet\n  password: wrong\n'), { clientId: 'wayside-bad' });
    assert.ok(await bad.waitUntil((s) => s.last_error !== null, 15_000));
    assert.match(bad.stats().last_error!, /not authorized|bad user/i);
    assert.equal(bad.stats().connected, false);
  });
});
