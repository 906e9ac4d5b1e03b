import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SiteError, parseSite } from '../../firmware/site/load.js';
import { Fernet } from '../../firmware/uplink/fernet.js';
import { writeNewKeyFile } from '../../firmware/uplink/key-file.js';
import { UplinkConfigError, buildUplinkOptions } from '../../firmware/uplink/options.js';

const base = 'id: cab-7\nlamps:\n  phases: {}\n';

describe('uplink section and options', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wayside-opts-'));
    await writeNewKeyFile(join(dir, 'a.key'));
    await writeNewKeyFile(join(dir, 'b.key'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fills the documented defaults, resolves paths against the site folder', async () => {
    const site = parseSite(base + 'uplink:\n  broker: mqtts://fleet.example:8883\n  key_file: a.key\n  tls: { ca: ca.pem }\n');
    assert.equal(site.uplink!.tls!.reject_unauthorized, true, 'verification on by default');
    await writeFile(join(dir, 'ca.pem'), 'PEM');
    const o = (await buildUplinkOptions(site, {}, dir))!;
    assert.equal(o.device, 'cab-7');
    assert.equal(o.broker, 'mqtts://fleet.example:8883');
    assert.equal(o.telemetryIntervalMs, 60_000);
    assert.equal(o.commandTtlS, 30);
    assert.equal(o.outboxPath, '/var/lib/wayside/uplink-outbox.sqlite');
    assert.deepEqual(o.outboxLimits, { maxMessages: 100_000, maxBytes: 64 * 1024 * 1024 });
    assert.equal(o.tls!.rejectUnauthorized, true);
    assert.equal(o.tls!.ca!.toString(), 'PEM');
  });

  it('--mqtt and --key override the site, and work without an uplink section', async () => {
    const withSection = parseSite(base + 'uplink:\n  broker: mqtt://old:1883\n  key_files: [a.key]\n');
    const o = (await buildUplinkOptions(withSection, { mqtt: 'mqtt://new:1883', key: [join(dir, 'b.key'), join(dir, 'a.key')] }, dir))!;
    assert.equal(o.broker, 'mqtt://new:1883');
    const token = new Fernet(readFileSync(join(dir, 'a.key'), 'utf8').trim()).encrypt('x');
    assert.equal(o.ring.decrypt(token).toString(), 'x', 'every key of the ring decrypts');

    const bare = parseSite(base);
    assert.equal(await buildUplinkOptions(bare, {}, dir), undefined, 'no uplink configured: none');
    const fromFlags = (await buildUplinkOptions(bare, { mqtt: 'mqtt://x:1883', key: join(dir, 'a.key'), outboxPath: join(dir, 'o.sqlite') }, dir))!;
    assert.equal(fromFlags.broker, 'mqtt://x:1883');
    assert.equal(fromFlags.outboxPath, join(dir, 'o.sqlite'));
    await assert.rejects(buildUplinkOptions(bare, { mqtt: 'mqtt://x:1883' }, dir), (e: UplinkConfigError) => e.field === 'key_file');
  });

  it('names the field and file when a file is missing or a key is bad', async () => {
    await writeFile(join(dir, 'bad.key'), '# rotated 2026-11\nnot-a-key\n');
    const site = parseSite(base + 'uplink:\n  broker: mqtt://b:1883\n  key_file: bad.key\n');
    await assert.rejects(buildUplinkOptions(site, {}, dir), /uplink\.key_file: .*bad\.key:2: a Fernet key is 32/);
    const noCa = parseSite(base + 'uplink:\n  broker: mqtt://b:1883\n  key_file: a.key\n  tls: { ca: missing.pem }\n');
    await assert.rejects(buildUplinkOptions(noCa, {}, dir), /uplink\.tls\.ca: cannot read .*missing\.pem/);
  });

  it('rejects a bad uplink section with the field path', () => {
    assert.throws(
      () => parseSite(base + 'uplink:\n  broker: http://x\n  key_file: a\n  tls: { cert: c.pem }\n  telemetry_interval_s: 0\n'),
      (e: SiteError) => {
        const paths = e.problems.map((p) => p.path);
        return paths.includes('uplink.broker') && paths.includes('uplink.tls.cert') && paths.includes('uplink.telemetry_interval_s');
      },
    );
  });
});
