import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, readlinkSync, readdirSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildBundle } from '../../firmware/deploy/bundle.js';
import { FlashError, parseFlashArgs } from '../../firmware/deploy/flash.js';
import { verifyBundle, writeManifest } from '../../firmware/deploy/manifest.js';
import { readPending } from '../../firmware/deploy/release.js';
import { idOf, treeHash } from './rootfs.js';
import { startSshd, type TestSshd } from './sshd.js';

/**
 * flash.sh --ssh against a real sshd on 127.0.0.1 (this machine plays the device). The bundle
 * is built for real once (`npm run build`, ~15 s) because the device runs the bundle's own
 * compiled flash.js; instead of the whole production node_modules (hundreds of MB) it carries
 * only the packages that flash.js loads. On the device the install goes into a temporary
 * directory (--ssh-rootfs), never into this machine's /.
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));
const site = join(repo, 'test/deploy/fixtures/rock-5b-site.yaml');
/** The staging directory a flash made on the device (mktemp -d), from its log; null if it made none. */
function stagingOf(out: string): string | null {
  return /tar -xz -C (\/tmp\/wayside-flash\.[A-Za-z0-9]{8})$/m.exec(out)?.[1] ?? null;
}
/** Every staging directory the flashes of this file made, removed at the end whatever happened. */
const stagings = new Set<string>();

let work: string;
let sshd: TestSshd | undefined;
let base: string;
let key: { priv: string; pub: string };

/** Packages the compiled flash.js imports statically (transitively), with their dependencies. */
function runtimePackages(dist: string): string[] {
  const pkgs = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    // Static imports only: the HAL backends (onoff, i2c-bus, …) are loaded lazily and not needed to install.
    for (const m of src.matchAll(/^\s*(?:import|export)\s[^;]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else if (!spec.startsWith('node:')) pkgs.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  visit(join(dist, 'firmware/deploy/flash.js'));
  const all = new Set<string>();
  const addWithDeps = (name: string) => {
    if (all.has(name)) return;
    all.add(name);
    const pj = JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(pj.dependencies ?? {})) if (existsSync(join(repo, 'node_modules', dep))) addWithDeps(dep);
  };
  for (const p of pkgs) addWithDeps(p);
  return [...all].sort();
}

/** A copy of the base bundle under another version, (re)signed with the test key unless told not to. */
async function bundleAs(version: string, opts: { sign?: boolean } = {}): Promise<string> {
  const dir = join(work, 'bundles', version);
  await cp(base, dir, { recursive: true, verbatimSymlinks: true });
  await rm(join(dir, 'MANIFEST.sig'), { force: true });
  await writeManifest(dir, version, opts.sign === false ? undefined : key.priv);
  return dir;
}

/** flash.sh as an operator runs it, with its own stdout/stderr (the device's output comes through ssh). */
function flashSh(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((ok, fail) => {
    const child = spawn(join(repo, 'flash.sh'), args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.once('error', fail);
    child.once('close', (code) => {
      const staging = stagingOf(out);
      if (staging) stagings.add(staging);
      ok({ code, out });
    });
  });
}

function sshArgs(root: string): string[] {
  const s = sshd!;
  return ['--board', 'rock-5b', '--site', site, '--ssh', `root@${s.host}`, '--ssh-port', String(s.port), '--ssh-identity', s.identity,
    '--ssh-option', 'IdentitiesOnly=yes', '--ssh-option', 'BatchMode=yes', '--ssh-option', 'StrictHostKeyChecking=no',
    '--ssh-option', 'UserKnownHostsFile=/dev/null', '--ssh-option', 'LogLevel=ERROR', '--ssh-rootfs', root, '--node', process.execPath];
}



before(async () => {
  assert.equal(process.getuid?.(), 0, 'the ssh flash test logs in as root on a local sshd and installs with chown: run it as root (CI does)');
  work = await mkdtemp(join(tmpdir(), 'wayside-flash-ssh-test-'));
  const kp = generateKeyPairSync('ed25519');
  key = { priv: kp.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), pub: kp.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  await writeFile(join(work, 'release.pub'), key.pub);
  await mkdir(join(work, 'keys'));
  await writeFile(join(work, 'keys/fernet.key'), 'test-fernet-key\n');

  const built = await buildBundle({ repo, out: join(work, 'build'), siteFile: site, version: 'base', deps: 'none', arch: process.arch === 'arm64' ? 'arm64' : 'x64', skipBuild: false, log: () => {} });
  base = built.dir;
  for (const p of runtimePackages(join(base, 'dist'))) await cp(join(repo, 'node_modules', p), join(base, 'node_modules', p), { recursive: true, verbatimSymlinks: true });

  sshd = await startSshd();
});

after(async () => {
  // Whatever happened above: no sshd may outlive the test.
  await sshd?.stop();
  for (const dir of stagings) await rm(dir, { recursive: true, force: true });
  if (work) await rm(work, { recursive: true, force: true });
});

const version = '1.0.0-ssh';
let first: Promise<{ root: string; code: number | null; out: string }> | undefined;

/** The first, signed install over ssh; every test starts from it (run once, also when tests are filtered). */
function installFirst() {
  first ??= (async () => {
    const root = await mkdtemp(join(work, 'device-root-'));
    const r = await flashSh([...sshArgs(root), '--bundle', await bundleAs(version), '--verify-key', join(work, 'release.pub'), '--keys', join(work, 'keys')]);
    return { root, ...r };
  })();
  return first;
}

async function installedRoot(): Promise<string> {
  const r = await installFirst();
  assert.equal(r.code, 0, `the first install over ssh failed:\n${r.out}`);
  return r.root;
}

describe('flash.sh --ssh to a real sshd on 127.0.0.1', () => {
  it('installs every file with its mode, owner and symlink, and leaves nothing in the device /tmp', async () => {
    const r = await installFirst();
    const root = r.root;
    assert.equal(r.code, 0, `${r.out}\n--- sshd:\n${sshd!.log()}`);
    assert.match(r.out, /flash: over ssh to root@127\.0\.0\.1: the bundle's own flash\.js installs it there with --rootfs /);
    assert.match(sshd!.log(), /Accepted publickey for root from 127\.0\.0\.1/, 'the install went through the sshd');
    assert.match(r.out, /ssh -p \d+ -i .* root@127\.0\.0\.1 mktemp -d \/tmp\/wayside-flash\.XXXXXXXX$/m, 'a fresh staging directory was made on the device');
    const staging = stagingOf(r.out);
    assert.ok(staging, 'the bundle was staged in a directory of its own in the device /tmp');

    assert.equal(readlinkSync(join(root, 'opt/wayside/current')), `releases/${version}`);
    assert.deepEqual(readdirSync(join(root, 'opt/wayside/releases')), [version], 'no .partial left behind');
    const installed = await verifyBundle(join(root, 'opt/wayside/current'), key.pub);
    assert.deepEqual([installed.ok, installed.signed, installed.version], [true, true, version], installed.problems.join('\n'));
    assert.ok(existsSync(join(root, 'opt/wayside/current/dist/firmware/deploy/flash.js')), 'the compiled code is installed');

    const uid = idOf(root, 'passwd', 'wayside');
    const gid = idOf(root, 'group', 'wayside');
    assert.match(readFileSync(join(root, 'etc/group'), 'utf8'), /^gpio:x:\d+:wayside$/m);
    assert.match(readFileSync(join(root, 'etc/group'), 'utf8'), /^i2c:x:\d+:wayside$/m);
    const expect: [path: string, mode: number, uid: number, gid: number][] = [
      ['etc/wayside/site.yaml', 0o640, 0, gid],
      ['etc/wayside/keys', 0o700, uid, gid],
      ['etc/wayside/keys/fernet.key', 0o600, uid, gid],
      ['etc/wayside/release.pub', 0o644, 0, 0],
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
    assert.equal(readFileSync(join(root, 'etc/wayside/keys/fernet.key'), 'utf8'), 'test-fernet-key\n');
    assert.equal(readFileSync(join(root, 'etc/wayside/release.pub'), 'utf8'), key.pub, 'the first signed flash installs the trust anchor');
    for (const unit of ['wayside.service', 'wayside-guard.service']) {
      assert.equal(readlinkSync(join(root, 'etc/systemd/system/multi-user.target.wants', unit)), `/etc/systemd/system/${unit}`);
    }
    const service = readFileSync(join(root, 'etc/systemd/system/wayside.service'), 'utf8');
    for (const line of ['Type=notify', 'CPUAffinity=0-4 6-7', `ExecStart=${process.execPath} --max-semi-space-size=1 /opt/wayside/current/bin/wayside.js run --board rock-5b --site /etc/wayside/site.yaml`]) {
      assert.ok(service.split('\n').includes(line), `wayside.service lacks ${line}`);
    }
    assert.deepEqual(await readPending(root), { version, previous: null, health: { url: 'http://127.0.0.1:8080/healthz' }, deadlineS: 60 },
      'an install into a directory (not the running /) leaves the health check to wayside-guard');
    assert.equal(existsSync(staging), false, `${staging} (bundle and keys) is removed from the device`);
  });

  it('forwards --health-cmd to the device: a failing release is rolled back there and flash.sh exits 1', async () => {
    const root = await installedRoot();
    const current = readlinkSync(join(root, 'opt/wayside/current'));
    const r = await flashSh([...sshArgs(root), '--bundle', await bundleAs('1.0.1-ssh'), '--health-cmd', 'exit 3', '--health-timeout', '1']);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /release 1\.0\.1-ssh failed its health check \(last: exit 3\); rolled back to 1\.0\.0-ssh/);
    assert.equal(current, `releases/${version}`);
    assert.equal(readlinkSync(join(root, 'opt/wayside/current')), current);
    const staging = stagingOf(r.out);
    assert.ok(staging, r.out);
    assert.equal(existsSync(staging), false, `${staging} is removed after a failed install too`);
  });

  it('a tampered or unsigned bundle is refused, the device is left as it was, and its /tmp is cleaned', async () => {
    const root = await installedRoot();
    const untouched = treeHash(root);

    // Changed after signing: the hashes no longer match.
    const changed = await bundleAs('1.0.2-ssh');
    await writeFile(join(changed, 'dist/firmware/cli/main.js'), "console.log('evil');\n");
    const r1 = await flashSh([...sshArgs(root), '--bundle', changed, '--verify-key', join(work, 'release.pub')]);
    assert.equal(r1.code, 1, r1.out);
    assert.match(r1.out, /refused[\s\S]*dist\/firmware\/cli\/main\.js: sha256 differs/);
    assert.doesNotMatch(r1.out, /tar -xz/, 'refused before anything is copied to the device');
    assert.doesNotMatch(r1.out, /mktemp/, 'no staging directory made on the device');

    // Unsigned, while the device trusts release.pub (installed by the first flash) and no key is
    // given here: the device's key is read over ssh and the bundle refused.
    const r2 = await flashSh([...sshArgs(root), '--bundle', await bundleAs('1.0.3-ssh', { sign: false })]);
    assert.equal(r2.code, 1, r2.out);
    assert.ok(r2.out.includes(`verify key: ${root}/etc/wayside/release.pub on root@127.0.0.1):\n  MANIFEST.sig missing: the device requires signed releases`), r2.out);
    assert.doesNotMatch(r2.out, /tar -xz/);
    assert.doesNotMatch(r2.out, /mktemp/, 'no staging directory made on the device');

    // The device runs the incoming bundle's own flash.js as root: a bundle that also brings a
    // verifier accepting anything must be caught before it gets there.
    const lying = await bundleAs('1.0.4-ssh');
    const verifier = join(lying, 'dist/firmware/deploy/manifest.js');
    const code = readFileSync(verifier, 'utf8');
    assert.match(code, /export async function verifyBundle\(dir, publicKeyPem\) \{/);
    await writeFile(verifier, code.replace(/export async function verifyBundle\(dir, publicKeyPem\) \{/,
      "$& return { ok: true, signed: true, version: JSON.parse(await readFile(join(dir, 'MANIFEST.json'), 'utf8')).version, problems: [] };"));
    const r3 = await flashSh([...sshArgs(root), '--bundle', lying, '--verify-key', join(work, 'release.pub')]);
    assert.equal(r3.code, 1, r3.out);
    assert.match(r3.out, /refused[\s\S]*dist\/firmware\/deploy\/manifest\.js: sha256 differs/);
    assert.doesNotMatch(r3.out, /tar -xz/, 'refused before anything is copied to the device');
    assert.doesNotMatch(r3.out, /mktemp/, 'no staging directory made on the device');

    assert.equal(treeHash(root), untouched, 'refused bundles change nothing on the device');
    assert.equal(readlinkSync(join(root, 'opt/wayside/current')), `releases/${version}`);
  });

  it('bad --ssh-* arguments: a clear error naming the argument, exit 2', () => {
    const base = ['--board', 'rock-5b', '--site', site];
    const cases: [string[], RegExp][] = [
      [[...base, '--rootfs', work, '--ssh-port', '22'], /--ssh-port needs --ssh USER@HOST/],
      [[...base, '--ssh', 'root@127.0.0.1', '--ssh-port', '70000'], /--ssh-port 70000: expected a port 1-65535/],
      [[...base, '--ssh', 'root@127.0.0.1', '--ssh-identity', join(work, 'nope')], /--ssh-identity .*nope: no such file/],
      [[...base, '--ssh', 'root@127.0.0.1', '--ssh-option=-oProxyCommand=sh'], /--ssh-option -oProxyCommand=sh: expected Name=value/],
      [[...base, '--ssh', 'root@127.0.0.1', '--ssh-rootfs', 'relative/dir'], /--ssh-rootfs relative\/dir: expected an absolute path/],
      [[...base, '--ssh', 'root@127.0.0.1', '--ssh-rootfs', '/mnt/../etc'], /expected an absolute path/],
      [[...base, '--ssh', 'root@127.0.0.1', '--ssh-rootfs', '/mnt/img', '--deps', 'device'], /--deps device runs npm ci on the device: it needs --ssh-rootfs \//],
    ];
    for (const [args, msg] of cases) {
      assert.throws(() => parseFlashArgs(args), (err: unknown) => err instanceof FlashError && err.exitCode === 2 && msg.test(err.message), args.join(' '));
    }
    const ok = parseFlashArgs([...base, '--ssh', 'root@127.0.0.1', '--ssh-port', '2222', '--ssh-option', 'ConnectTimeout=5', '--ssh-rootfs', '/mnt/img']);
    assert.deepEqual([ok.sshArgs, ok.sshRootfs], [['-p', '2222', '-o', 'ConnectTimeout=5'], '/mnt/img']);
  });
});
