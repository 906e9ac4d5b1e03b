import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { verifyBundle, writeManifest } from '../../firmware/deploy/manifest.js';

/**
 * The one test that runs the real build (`npm run build -- --outDir <bundle>/dist`, ~30 s
 * here). The bundle goes under the checkout's git-ignored tmp/ so its compiled code resolves
 * the checkout's node_modules (it is built with --deps none to stay small and fast).
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));
const site = join(repo, 'test/deploy/fixtures/rock-5b-site.yaml');
const version = '0.0.0-bundle-test';
let out: string;
let work: string;

before(async () => {
  out = join(repo, 'tmp', `bundle-test-${process.pid}`);
  await mkdir(out, { recursive: true });
  work = await mkdtemp(join(tmpdir(), 'wayside-bundle-test-'));
  const kp = generateKeyPairSync('ed25519');
  await writeFile(join(work, 'release.key'), kp.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await writeFile(join(work, 'release.pub'), kp.publicKey.export({ type: 'spki', format: 'pem' }));
});

after(async () => {
  await rm(out, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

const flashSh = (...args: string[]) => spawnSync(join(repo, 'flash.sh'), args, { encoding: 'utf8', cwd: repo, maxBuffer: 16 << 20 });

describe('the release bundle, built for real', () => {
  it('npm run build → a signed bundle with code, templates, site, models; reproducible; installable by its own compiled flash', async () => {
    const a = flashSh('--board', 'rock-5b', '--site', site, '--build-only', '--bundle-out', join(out, 'a'), '--deps', 'none', '--version', version, '--sign-key', join(work, 'release.key'));
    assert.equal(a.status, 0, a.stderr + a.stdout);
    // Compiled straight into the bundle, not into the checkout's dist/.
    assert.ok(a.stdout.includes(`build     npm run build -- --outDir ${join(out, 'a', version, 'dist')}`), a.stdout);
    const dir = join(out, 'a', version);
    for (const f of ['dist/firmware/cli/main.js', 'dist/firmware/deploy/flash.js', 'dist/firmware/deploy/guard.js', 'dist/boards/detect.js',
      'bin/wayside.js', 'deploy/wayside.service.in', 'deploy/60-wayside.rules', 'package.json', 'package-lock.json', 'site.yaml', 'MANIFEST.json', 'MANIFEST.sig']) {
      assert.ok(existsSync(join(dir, f)), `bundle lacks ${f}`);
    }
    assert.equal(existsSync(join(dir, 'node_modules')), false, '--deps none');
    assert.equal(existsSync(join(dir, 'models/manifest.json')), existsSync(join(repo, 'models/manifest.json')), 'models come with their manifest when there is one');
    assert.equal(readFileSync(join(dir, 'site.yaml'), 'utf8'), readFileSync(site, 'utf8'));
    const verified = await verifyBundle(dir, readFileSync(join(work, 'release.pub')));
    assert.deepEqual([verified.ok, verified.signed, verified.version], [true, true, version], verified.problems.join('\n'));

    // No timestamps or host paths in the bundle: the same tree hashes and signs to the same bytes.
    const copy = join(out, 'copy', version);
    await cp(dir, copy, { recursive: true, verbatimSymlinks: true });
    await rm(join(copy, 'MANIFEST.json'));
    await rm(join(copy, 'MANIFEST.sig'));
    await writeManifest(copy, version, readFileSync(join(work, 'release.key')));
    assert.equal(readFileSync(join(copy, 'MANIFEST.json'), 'utf8'), readFileSync(join(dir, 'MANIFEST.json'), 'utf8'));
    assert.equal(readFileSync(join(copy, 'MANIFEST.sig'), 'utf8'), readFileSync(join(dir, 'MANIFEST.sig'), 'utf8'));
    assert.doesNotMatch(readFileSync(join(dir, 'MANIFEST.json'), 'utf8'), new RegExp(out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));

    // What --ssh runs on the device: the bundle's own compiled flash.js, against the bundle.
    const root = join(work, 'root');
    await mkdir(root);
    const c = spawnSync(process.execPath, [join(dir, 'dist/firmware/deploy/flash.js'), '--board', 'rock-5b', '--site', join(dir, 'site.yaml'), '--rootfs', root,
      '--bundle', dir, '--verify-key', join(work, 'release.pub'), '--node', process.execPath], { encoding: 'utf8' });
    assert.equal(c.status, 0, c.stderr + c.stdout);
    assert.equal(readlinkSync(join(root, 'opt/wayside/current')), `releases/${version}`);
    assert.ok(existsSync(join(root, 'etc/wayside/release.pub')), 'first signed install leaves the trust anchor');
    const v = spawnSync('systemd-analyze', ['verify', join(root, 'etc/systemd/system/wayside.service')], { encoding: 'utf8' });
    assert.equal(v.status, 0, v.stderr);

    // The compiled CLI in the bundle runs.
    const cli = spawnSync(process.execPath, [join(dir, 'bin/wayside.js'), 'boards', 'list', '--json'], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    assert.ok((JSON.parse(cli.stdout) as { id: string }[]).some((x) => x.id === 'rock-5b'));
  });
});
