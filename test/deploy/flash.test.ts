import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { lstatSync, readFileSync, readlinkSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { flash, FlashError } from '../../firmware/deploy/flash.js';
import { confirmOrRollback } from '../../firmware/deploy/guard.js';
import { verifyBundle, writeManifest } from '../../firmware/deploy/manifest.js';
import { readPending } from '../../firmware/deploy/release.js';
import { idOf, treeHash } from './rootfs.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const site = join(repo, 'test/deploy/fixtures/rock-5b-site.yaml');

let work: string;
let keys: { priv: string; pub: string; otherPub: string };
let health: { server: Server; url: (status: number) => string };

/** A small prebuilt bundle: what buildBundle makes, minus the real compiler output. */
async function makeBundle(version: string, opts: { signKey?: string } = {}): Promise<string> {
  const dir = join(work, 'bundles', version);
  await mkdir(join(dir, 'dist/firmware/cli'), { recursive: true });
  await mkdir(join(dir, 'bin'), { recursive: true });
  await writeFile(join(dir, 'dist/firmware/cli/main.js'), `console.log('wayside ${version}');\n`);
  await writeFile(join(dir, 'bin/wayside.js'), "import '../dist/firmware/cli/main.js';\n", { mode: 0o755 });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'wayside', version }) + '\n');
  await writeFile(join(dir, 'site.yaml'), await readFile(site));
  await writeManifest(dir, version, opts.signKey);
  return dir;
}

async function newRoot(name: string): Promise<string> {
  const root = join(work, 'roots', name);
  await mkdir(root, { recursive: true });
  return root;
}

/** flash() in-process with a captured log; FlashError becomes its exit code. */
async function run(args: string[]): Promise<{ code: number; log: string }> {
  const lines: string[] = [];
  try {
    const code = await flash(['--node', process.execPath, ...args], (l) => lines.push(l));
    return { code, log: lines.join('\n') };
  } catch (err) {
    if (err instanceof FlashError) return { code: err.exitCode, log: lines.join('\n') + '\n' + err.message };
    throw err;
  }
}


const mode = (p: string) => statSync(p).mode & 0o777;

before(async () => {
  assert.equal(process.getuid?.(), 0, 'the flash tests install into a root filesystem and chown files: run them as root (CI does)');
  work = await mkdtemp(join(tmpdir(), 'wayside-flash-test-'));
  const kp = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519');
  keys = {
    priv: kp.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    pub: kp.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    otherPub: other.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
  await writeFile(join(work, 'release.key'), keys.priv, { mode: 0o600 });
  await writeFile(join(work, 'release.pub'), keys.pub);
  await writeFile(join(work, 'other.pub'), keys.otherPub);
  await mkdir(join(work, 'keys'));
  await writeFile(join(work, 'keys/fernet.key'), 'test-fernet-key\n');
  // A health endpoint we control: /status/<code> answers with that code.
  const server = createServer((req, res) => {
    const code = Number(/\/status\/(\d+)/.exec(req.url ?? '')?.[1] ?? 404);
    res.writeHead(code).end(JSON.stringify({ ok: code === 200 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  health = { server, url: (status) => `http://127.0.0.1:${port}/status/${status}` };
});

after(async () => {
  health?.server.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('flash.sh into a temporary root filesystem', () => {
  it('installs every file with its mode, owner and symlink', async () => {
    const root = await newRoot('fresh');
    const bundle = await makeBundle('1.0.0');
    const r = await run(['--board', 'rock-5b', '--site', site, '--rootfs', root, '--bundle', bundle, '--keys', join(work, 'keys')]);
    assert.equal(r.code, 0, r.log);

    assert.ok(lstatSync(join(root, 'opt/wayside/current')).isSymbolicLink());
    assert.equal(readlinkSync(join(root, 'opt/wayside/current')), 'releases/1.0.0');
    assert.equal((await verifyBundle(join(root, 'opt/wayside/current'))).ok, true, 'installed release matches its manifest');
    assert.deepEqual(readdirSync(join(root, 'opt/wayside/releases')), ['1.0.0'], 'no .partial left behind');

    const uid = idOf(root, 'passwd', 'wayside');
    const gid = idOf(root, 'group', 'wayside');
    assert.match(readFileSync(join(root, 'etc/group'), 'utf8'), /^gpio:x:\d+:wayside$/m);
    assert.match(readFileSync(join(root, 'etc/group'), 'utf8'), /^i2c:x:\d+:wayside$/m);
    assert.match(readFileSync(join(root, 'etc/passwd'), 'utf8'), /^wayside:x:\d+:\d+:.*:\/var\/lib\/wayside:\/usr\/sbin\/nologin$/m);

    const expect: [path: string, mode: number, uid: number, gid: number][] = [
      ['etc/wayside/site.yaml', 0o640, 0, gid],
      ['etc/wayside/keys', 0o700, uid, gid],
      ['etc/wayside/keys/fernet.key', 0o600, uid, gid],
      ['var/lib/wayside', 0o750, uid, gid],
      ['etc/udev/rules.d/60-wayside.rules', 0o644, 0, 0],
      ['etc/systemd/system/wayside.service', 0o644, 0, 0],
      ['etc/systemd/system/wayside-guard.service', 0o644, 0, 0],
      ['etc/systemd/zram-generator.conf', 0o644, 0, 0],
      ['etc/sysctl.d/90-wayside.conf', 0o644, 0, 0],
      ['usr/lib/sysusers.d/wayside.conf', 0o644, 0, 0],
    ];
    for (const [p, m, u, g] of expect) {
      const st = statSync(join(root, p));
      assert.equal(st.mode & 0o777, m, `${p} mode ${(st.mode & 0o777).toString(8)}`);
      assert.deepEqual([st.uid, st.gid], [u, g], `${p} owner`);
    }
    assert.equal(readFileSync(join(root, 'etc/wayside/site.yaml'), 'utf8'), readFileSync(site, 'utf8'));
    for (const unit of ['wayside.service', 'wayside-guard.service']) {
      assert.equal(readlinkSync(join(root, 'etc/systemd/system/multi-user.target.wants', unit)), `/etc/systemd/system/${unit}`);
    }

    const service = readFileSync(join(root, 'etc/systemd/system/wayside.service'), 'utf8');
    for (const line of ['Type=notify', 'WatchdogSec=5s', 'Restart=on-failure', 'CPUAffinity=0-4 6-7', 'Nice=-5', 'NoNewPrivileges=yes',
      'ProtectSystem=strict', 'ReadWritePaths=/var/lib/wayside', 'ProtectHome=yes', 'PrivateTmp=yes', 'DeviceAllow=char-gpiochip rw',
      'DeviceAllow=char-i2c rw', 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6', 'SystemCallFilter=@system-service',
      'SupplementaryGroups=gpio i2c', `ExecStart=${process.execPath} --max-semi-space-size=1 /opt/wayside/current/bin/wayside.js run --board rock-5b --site /etc/wayside/site.yaml`]) {
      assert.ok(service.split('\n').includes(line), `wayside.service lacks ${line}`);
    }
    assert.doesNotMatch(service, /^MemoryDenyWriteExecute/m);
    assert.match(readFileSync(join(root, 'etc/systemd/zram-generator.conf'), 'utf8'), /^zram-size = min\(ram \/ 2, 4096\)$/m);
    assert.match(readFileSync(join(root, 'etc/sysctl.d/90-wayside.conf'), 'utf8'), /^vm\.swappiness = 100$/m);
    assert.match(readFileSync(join(root, 'etc/udev/rules.d/60-wayside.rules'), 'utf8'), /KERNEL=="gpiochip\[0-9\]\*", GROUP="gpio", MODE="0660"/);

    const pending = await readPending(root);
    assert.deepEqual(pending, { version: '1.0.0', previous: null, health: { url: 'http://127.0.0.1:8080/healthz' }, deadlineS: 60 },
      'an offline install leaves the health check to wayside-guard on first boot');
  });

  it('the installed units pass systemd-analyze verify, and the exposure is at most 4.0', async () => {
    const root = await newRoot('verify');
    assert.equal((await run(['--board', 'rock-5b', '--site', site, '--rootfs', root, '--bundle', await makeBundle('1.0.0')])).code, 0);
    for (const unit of ['wayside.service', 'wayside-guard.service']) {
      const v = spawnSync('systemd-analyze', ['verify', join(root, 'etc/systemd/system', unit)], { encoding: 'utf8' });
      assert.ok(!v.error, `systemd-analyze is needed (apt-get install systemd): ${v.error?.message}`);
      assert.equal(v.status, 0, `${unit}: ${v.stderr}`);
      assert.doesNotMatch(v.stderr, new RegExp(unit.replace('.', '\\.')), v.stderr);
    }
    const s = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', join(root, 'etc/systemd/system/wayside.service')], { encoding: 'utf8' });
    const exposure = Number(/Overall exposure level for wayside\.service: ([\d.]+)/.exec(s.stdout)?.[1]);
    assert.ok(exposure > 0 && exposure <= 4.0, `exposure ${exposure}\n${s.stdout.slice(-400)}`);
  });

  it('a release that fails its health check is rolled back; a healthy one is confirmed; old releases are pruned', async () => {
    const root = await newRoot('rollback');
    const base = ['--board', 'rock-5b', '--site', site, '--rootfs', root, '--health-timeout', '1', '--keep', '2'];
    const first = await run([...base, '--bundle', await makeBundle('2.0.0'), '--health-url', health.url(200)]);
    assert.equal(first.code, 0, first.log);
    assert.equal(readlinkSync(join(root, 'opt/wayside/current')), 'releases/2.0.0');
    assert.equal(await readPending(root), null, 'healthy: nothing left pending');

    const bad = await run([...base, '--bundle', await makeBundle('2.0.1'), '--health-url', health.url(503)]);
    assert.equal(bad.code, 1, bad.log);
    assert.match(bad.log, /release 2\.0\.1 failed its health check \(last: HTTP 503\); rolled back to 2\.0\.0/);
    assert.equal(readlinkSync(join(root, 'opt/wayside/current')), 'releases/2.0.0');
    assert.equal(await readPending(root), null);

    const cmd = await run([...base, '--bundle', await makeBundle('2.0.2'), '--health-cmd', 'exit 3']);
    assert.equal(cmd.code, 1);
    assert.match(cmd.log, /last: exit 3\); rolled back to 2\.0\.0/);

    for (const v of ['2.0.3', '2.0.4']) {
      assert.equal((await run([...base, '--bundle', await makeBundle(v), '--health-url', health.url(200)])).code, 0);
    }
    assert.equal(readlinkSync(join(root, 'opt/wayside/current')), 'releases/2.0.4');
    assert.deepEqual(readdirSync(join(root, 'opt/wayside/releases')).sort(), ['2.0.3', '2.0.4'], 'keep 2');
  });

  it('on first boot after an offline install, wayside-guard rolls a failing release back', async () => {
    const root = await newRoot('guard');
    const base = ['--board', 'rock-5b', '--site', site, '--rootfs', root, '--health-timeout', '1'];
    assert.equal((await run([...base, '--bundle', await makeBundle('3.0.0'), '--health-url', health.url(200)])).code, 0);
    assert.equal((await run([...base, '--bundle', await makeBundle('3.0.1')])).code, 0);
    assert.equal(readlinkSync(join(root, 'opt/wayside/current')), 'releases/3.0.1');
    const pending = await readPending(root);
    assert.equal(pending?.previous, '3.0.0');
    // The device boots; its /healthz answers 503. (The pending file names the site's URL; point it at ours.)
    await writeFile(join(root, 'opt/wayside/pending.json'), JSON.stringify({ ...pending, health: { url: health.url(503) } }));
    let restarted = 0;
    const outcome = await confirmOrRollback(root, () => restarted++);
    assert.equal(outcome.kind, 'rolled-back');
    assert.equal(readlinkSync(join(root, 'opt/wayside/current')), 'releases/3.0.0');
    assert.equal(restarted, 1);
    assert.equal(await readPending(root), null);
  });

  it('a tampered bundle is refused and nothing changes', async () => {
    const root = await newRoot('tamper');
    const signed = await makeBundle('4.0.0', { signKey: keys.priv });
    assert.equal((await run(['--board', 'rock-5b', '--site', site, '--rootfs', root, '--bundle', signed, '--verify-key', join(work, 'release.pub')])).code, 0);
    const before = treeHash(root);

    const changed = await makeBundle('4.0.1', { signKey: keys.priv });
    await writeFile(join(changed, 'dist/firmware/cli/main.js'), "console.log('evil');\n");
    const r1 = await run(['--board', 'rock-5b', '--site', site, '--rootfs', root, '--bundle', changed, '--verify-key', join(work, 'release.pub')]);
    assert.equal(r1.code, 1);
    assert.match(r1.log, /refused[\s\S]*dist\/firmware\/cli\/main\.js: sha256 differs/);

    // Re-hashing the tampered tree does not help: the signature covers the manifest.
    const resigned = await makeBundle('4.0.2', { signKey: keys.priv });
    const sig = await readFile(join(resigned, 'MANIFEST.sig'));
    await writeFile(join(resigned, 'dist/firmware/cli/main.js'), "console.log('evil');\n");
    await writeManifest(resigned, '4.0.2');
    await writeFile(join(resigned, 'MANIFEST.sig'), sig);
    const r2 = await run(['--board', 'rock-5b', '--site', site, '--rootfs', root, '--bundle', resigned, '--verify-key', join(work, 'release.pub')]);
    assert.equal(r2.code, 1);
    assert.match(r2.log, /signature does not match/);

    // Signed with another key, or not signed at all, while the target trusts release.pub.
    const wrongKey = await run(['--board', 'rock-5b', '--site', site, '--rootfs', root, '--bundle', await makeBundle('4.0.3', { signKey: keys.priv }), '--verify-key', join(work, 'other.pub')]);
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.log, /verify key: .*other\.pub\):\n  MANIFEST\.sig: signature does not match/);
    const unsigned = await run(['--board', 'rock-5b', '--site', site, '--rootfs', root, '--bundle', await makeBundle('4.0.4')]);
    assert.equal(unsigned.code, 1);
    assert.match(unsigned.log, /verify key: \/etc\/wayside\/release\.pub on the target\):\n  MANIFEST\.sig missing: the device requires signed releases/);

    const extra = await makeBundle('4.0.5', { signKey: keys.priv });
    await writeFile(join(extra, 'dist/backdoor.js'), '1;\n');
    const r3 = await run(['--board', 'rock-5b', '--site', site, '--rootfs', root, '--bundle', extra]);
    assert.equal(r3.code, 1);
    assert.match(r3.log, /dist\/backdoor\.js: not in the manifest/);

    assert.equal(treeHash(root), before, 'refused bundles change nothing on the target');
    assert.equal(readlinkSync(join(root, 'opt/wayside/current')), 'releases/4.0.0');
  });

  it('a manifest version that would leave /opt/wayside/releases is refused', async () => {
    const root = await newRoot('traversal');
    const bundle = await makeBundle('7.0.0');
    await writeManifest(bundle, '../../../etc');
    const r = await run(['--board', 'rock-5b', '--site', site, '--rootfs', root, '--bundle', bundle]);
    assert.equal(r.code, 1);
    assert.match(r.log, /bundle version "\.\.\/\.\.\/\.\.\/etc" is not a valid release name/);
    assert.deepEqual(readdirSync(root), []);
  });

  it('--dry-run prints every action and changes nothing', async () => {
    const root = await newRoot('dry');
    assert.equal((await run(['--board', 'rock-5b', '--site', site, '--rootfs', root, '--bundle', await makeBundle('5.0.0'), '--health-url', health.url(200)])).code, 0);
    const before = treeHash(root);
    const r = await run(['--board', 'rock-5b', '--site', site, '--rootfs', root, '--bundle', await makeBundle('5.0.1'), '--keys', join(work, 'keys'), '--dry-run']);
    assert.equal(r.code, 0, r.log);
    for (const want of [/DRY RUN/, /would +copy .*5\.0\.1\/ -> \/opt\/wayside\/releases\/\.5\.0\.1\.partial\//, /would +write +\/etc\/wayside\/site\.yaml \(0640 root:wayside/,
      /would +copy .*fernet\.key -> \/etc\/wayside\/keys\/fernet\.key \(0600 wayside:wayside\)/, /would +run +systemd-sysusers --root=/, /would +symlink +\/opt\/wayside\/current -> releases\/5\.0\.1/,
      /would +write +\/etc\/systemd\/system\/wayside\.service/, /wayside-guard\.service on first boot/]) {
      assert.match(r.log, want);
    }
    assert.equal(treeHash(root), before);
  });

  it('--ssh --dry-run prints the copy and the remote install, contacting nothing', async () => {
    const r = await run(['--board', 'rock-5b', '--site', site, '--ssh', 'admin@cabinet-17', '--bundle', await makeBundle('6.0.0', { signKey: keys.priv }),
      '--verify-key', join(work, 'release.pub'), '--deps', 'device', '--dry-run']);
    assert.equal(r.code, 0, r.log);
    assert.match(r.log, /would +ssh admin@cabinet-17 mktemp -d \/tmp\/wayside-flash\.XXXXXXXX$/m);
    assert.match(r.log, /would +tar -cz -C .*bundles 6\.0\.0 \| ssh admin@cabinet-17 tar -xz -C \/tmp\/wayside-flash\.XXXXXXXX$/m);
    assert.match(r.log, /would +ssh -t admin@cabinet-17 'sudo' '.*' '\/tmp\/wayside-flash\.XXXXXXXX\/6\.0\.0\/dist\/firmware\/deploy\/flash\.js' '--rootfs' '\/' .*'--deps' 'device' '--verify-key' '\/tmp\/wayside-flash\.XXXXXXXX\/release\.pub'/);
    assert.match(r.log, /would +ssh admin@cabinet-17 rm -rf \/tmp\/wayside-flash\.XXXXXXXX$/m);
  });

  it('bad arguments: a clear error, exit 2, nothing changed (through flash.sh)', async () => {
    const root = await newRoot('badargs');
    const before = treeHash(root);
    const sh = (...args: string[]) => spawnSync(join(repo, 'flash.sh'), args, { encoding: 'utf8', cwd: work });
    const cases: [string[], RegExp][] = [
      [['--site', site, '--rootfs', root], /--board is required/],
      [['--board', 'pi-zero', '--site', site, '--rootfs', root], /unknown board "pi-zero"; known boards: raspberry-pi-4/],
      [['--board', 'rock-5b', '--rootfs', root], /--site is required/],
      [['--board', 'rock-5b', '--site', site], /exactly one of --rootfs DIR or --ssh USER@HOST/],
      [['--board', 'rock-5b', '--site', site, '--rootfs', root, '--ssh', 'pi@cabinet'], /exactly one of/],
      [['--board', 'rock-5b', '--site', site, '--rootfs', join(work, 'nope')], /--rootfs .*nope: not a directory/],
      [['--board', 'rock-5b', '--site', site, '--rootfs', root, '--keep', '0'], /--keep 0: expected an integer >= 1/],
      [['--board', 'rock-5b', '--site', site, '--rootfs', root, '--frobnicate'], /Unknown option '--frobnicate'/],
    ];
    for (const [args, msg] of cases) {
      const r = spawnSync(join(repo, 'flash.sh'), args, { encoding: 'utf8', cwd: work });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, msg);
      assert.match(r.stderr, /usage: flash\.sh --board/);
    }
    // A site with problems for this board is refused before anything is built or copied.
    const r = sh('--board', 'raspberry-pi-4', '--site', site, '--rootfs', root, '--skip-build');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /lamps\.phases\.2\.red: .*|sensors\.0\.bus: raspberry-pi-4 has no I2C bus 7/);
    assert.equal(treeHash(root), before);
  });
});
