import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { detectBoard } from '../../boards/detect.js';
import { BOARD_IDS, getBoard } from '../../boards/index.js';
import { readProbe } from '../../boards/probe.js';
import type { BoardProfile } from '../../boards/types.js';
import { checkSite } from '../site/check.js';
import { loadSite, SiteError } from '../site/load.js';
import { apply, describe, type Action } from './actions.js';
import { buildBundle, type DepsMode } from './bundle.js';
import { confirmOrRollback, describeOutcome } from './guard.js';
import { describeProbe, type HealthProbe } from './health.js';
import { isLive, planActivate, planInstall } from './install-plan.js';
import { verifyBundle } from './manifest.js';
import { currentRelease, layout, listReleases, pruneReleases, writePending } from './release.js';

/**
 * flash.sh: build the release bundle and install it onto a device root filesystem
 * (`--rootfs DIR`, `/` on the device itself) or a device over ssh. Every argument is checked
 * before anything is touched; the install is planned as a list of actions that `--dry-run`
 * prints instead of running. Exit codes: 0 installed, 1 refused or rolled back, 2 bad arguments.
 */
export class FlashError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

const USAGE = `usage: flash.sh --board NAME|auto --site FILE (--rootfs DIR | --ssh USER@HOST) [options]
  --dry-run              print every action, change nothing
  --bundle DIR           install this prebuilt bundle (a directory with MANIFEST.json) instead of building
  --bundle-out DIR       build the bundle into DIR (kept) instead of a temporary directory
  --build-only           build the bundle and stop (needs --bundle-out)
  --skip-build           use the existing dist/ instead of running npm run build
  --deps copy|device|none
                         copy: production node_modules of this checkout, native addons built for this
                         machine (default); device: npm ci --omit=dev on the device before the switch
                         (live targets only); none: no node_modules
  --arch arm64|x64       target CPU (default arm64: every supported board)
  --version V            release version (default: package.json version + git revision)
  --sign-key PEM         ed25519 private key: sign the bundle manifest
  --verify-key PEM       ed25519 public key the bundle must be signed with (default: the target's /etc/wayside/release.pub)
  --keys DIR             files to install into /etc/wayside/keys (0600)
  --keep N               releases to keep (default 3)
  --health-url URL       poll URL after the switch (default on a live system: the site's /healthz)
  --health-cmd CMD       or: a shell command that exits 0 when healthy
  --health-timeout S     seconds the new release has to become healthy (default 60)
  --node PATH            node binary on the target (default /usr/bin/node)
  --watchdog-sec S       WatchdogSec= of wayside.service (default 5)
  with --ssh:
  --ssh-port N           sshd port on the device (ssh -p)
  --ssh-identity FILE    private key to log in with (ssh -i)
  --ssh-option OPT       extra ssh option, e.g. ConnectTimeout=10 (ssh -o OPT; repeatable)
  --ssh-rootfs DIR       root directory on the device to install into (default /: the running
                         system, restarted and health-checked; any other directory is an offline install)`;

export interface FlashOptions {
  board: string;
  site: string;
  rootfs?: string;
  ssh?: string;
  dryRun: boolean;
  bundle?: string;
  bundleOut?: string;
  buildOnly: boolean;
  skipBuild: boolean;
  deps: DepsMode;
  arch: 'arm64' | 'x64';
  version?: string;
  signKey?: string;
  verifyKey?: string;
  keys?: string;
  keep: number;
  health?: HealthProbe;
  healthTimeoutS: number;
  node: string;
  watchdogSec: number;
  /** ssh's own options (`-p`, `-i`, `-o`), given before USER@HOST on every ssh call. */
  sshArgs: string[];
  /** Root the install on the device goes into (`--rootfs` of the remote flash.js). */
  sshRootfs: string;
}

const VERSION_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

const usage = (msg: string) => new FlashError(`${msg}\n${USAGE}`, 2);

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Parses and checks the command line; throws FlashError(…, 2) naming the bad argument. */
export function parseFlashArgs(argv: string[]): FlashOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        board: { type: 'string' },
        site: { type: 'string' },
        rootfs: { type: 'string' },
        ssh: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        bundle: { type: 'string' },
        'bundle-out': { type: 'string' },
        'build-only': { type: 'boolean', default: false },
        'skip-build': { type: 'boolean', default: false },
        deps: { type: 'string', default: 'copy' },
        arch: { type: 'string', default: 'arm64' },
        version: { type: 'string' },
        'sign-key': { type: 'string' },
        'verify-key': { type: 'string' },
        keys: { type: 'string' },
        keep: { type: 'string', default: '3' },
        'health-url': { type: 'string' },
        'health-cmd': { type: 'string' },
        'health-timeout': { type: 'string', default: '60' },
        node: { type: 'string', default: '/usr/bin/node' },
        'watchdog-sec': { type: 'string', default: '5' },
        'ssh-port': { type: 'string' },
        'ssh-identity': { type: 'string' },
        'ssh-option': { type: 'string', multiple: true },
        'ssh-rootfs': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw usage((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) throw new FlashError(USAGE, 2);
  if (!v.board) throw usage('--board is required (a board id or auto)');
  if (v.board !== 'auto' && !getBoard(v.board)) throw usage(`unknown board "${v.board}"; known boards: ${BOARD_IDS.join(', ')}, auto`);
  if (!v.site) throw usage('--site is required');
  if (!isFile(v.site)) throw usage(`--site ${v.site}: no such file`);
  if (v['build-only']) {
    if (!v['bundle-out']) throw usage('--build-only needs --bundle-out DIR');
    if (v.rootfs || v.ssh) throw usage('--build-only installs nothing: drop --rootfs/--ssh');
  } else if ((v.rootfs ? 1 : 0) + (v.ssh ? 1 : 0) !== 1) {
    throw usage('give exactly one of --rootfs DIR or --ssh USER@HOST');
  }
  if (v.rootfs && !isDir(v.rootfs)) throw usage(`--rootfs ${v.rootfs}: not a directory`);
  if (v.ssh && !/^[A-Za-z0-9._-]+@[A-Za-z0-9.:_-]+$/.test(v.ssh)) throw usage(`--ssh ${v.ssh}: expected USER@HOST`);
  if (v.bundle && !isFile(join(v.bundle, 'MANIFEST.json'))) throw usage(`--bundle ${v.bundle}: no MANIFEST.json there`);
  if (v.bundle && (v['bundle-out'] || v['skip-build'] || v['sign-key'])) throw usage('--bundle installs a built bundle: --bundle-out, --skip-build and --sign-key do not apply');
  if (v.deps !== 'copy' && v.deps !== 'device' && v.deps !== 'none') throw usage(`--deps ${v.deps}: expected copy, device or none`);
  if (v.deps === 'device' && v.rootfs !== undefined && resolve(v.rootfs) !== '/') {
    throw usage('--deps device runs npm ci on the device: it needs --ssh or --rootfs / (on the device itself)');
  }
  if (v.arch !== 'arm64' && v.arch !== 'x64') throw usage(`--arch ${v.arch}: expected arm64 or x64`);
  if (v.version !== undefined && !VERSION_RE.test(v.version)) throw usage(`--version ${v.version}: letters, digits, . _ + - only`);
  for (const [flag, path] of [['--sign-key', v['sign-key']], ['--verify-key', v['verify-key']]] as const) {
    if (path !== undefined && !isFile(path)) throw usage(`${flag} ${path}: no such file`);
  }
  if (v.keys !== undefined && !isDir(v.keys)) throw usage(`--keys ${v.keys}: not a directory`);
  const keep = Number(v.keep);
  if (!Number.isInteger(keep) || keep < 1) throw usage(`--keep ${v.keep}: expected an integer >= 1`);
  const timeout = Number(v['health-timeout']);
  if (!(timeout > 0)) throw usage(`--health-timeout ${v['health-timeout']}: expected seconds > 0`);
  const wd = Number(v['watchdog-sec']);
  if (!Number.isInteger(wd) || wd < 1) throw usage(`--watchdog-sec ${v['watchdog-sec']}: expected an integer >= 1`);
  if (v['health-url'] && v['health-cmd']) throw usage('give --health-url or --health-cmd, not both');
  if (v['health-url'] && !/^https?:\/\//.test(v['health-url'])) throw usage(`--health-url ${v['health-url']}: expected http(s)://…`);
  const sshArgs = parseSshArgs(v);
  return {
    board: v.board,
    site: v.site,
    rootfs: v.rootfs !== undefined ? resolve(v.rootfs) : undefined,
    ssh: v.ssh,
    dryRun: v['dry-run']!,
    bundle: v.bundle !== undefined ? resolve(v.bundle) : undefined,
    bundleOut: v['bundle-out'] !== undefined ? resolve(v['bundle-out']) : undefined,
    buildOnly: v['build-only']!,
    skipBuild: v['skip-build']!,
    deps: v.deps,
    arch: v.arch,
    version: v.version,
    signKey: v['sign-key'],
    verifyKey: v['verify-key'],
    keys: v.keys !== undefined ? resolve(v.keys) : undefined,
    keep,
    health: v['health-url'] ? { url: v['health-url'] } : v['health-cmd'] ? { cmd: v['health-cmd'] } : undefined,
    healthTimeoutS: timeout,
    node: v.node!,
    watchdogSec: wd,
    sshArgs,
    sshRootfs: v['ssh-rootfs'] ?? '/',
  };
}

/** The --ssh-* options, checked; they only make sense with --ssh. */
function parseSshArgs(v: { ssh?: string; deps?: string; 'ssh-port'?: string; 'ssh-identity'?: string; 'ssh-option'?: string[]; 'ssh-rootfs'?: string }): string[] {
  const given = (['ssh-port', 'ssh-identity', 'ssh-option', 'ssh-rootfs'] as const).filter((k) => v[k] !== undefined);
  if (!v.ssh && given.length > 0) throw usage(`--${given[0]} needs --ssh USER@HOST`);
  const args: string[] = [];
  if (v['ssh-port'] !== undefined) {
    const port = Number(v['ssh-port']);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw usage(`--ssh-port ${v['ssh-port']}: expected a port 1-65535`);
    args.push('-p', String(port));
  }
  if (v['ssh-identity'] !== undefined) {
    if (!isFile(v['ssh-identity'])) throw usage(`--ssh-identity ${v['ssh-identity']}: no such file`);
    args.push('-i', resolve(v['ssh-identity']));
  }
  for (const opt of v['ssh-option'] ?? []) {
    // ssh_config syntax only: a leading '-' would smuggle in another ssh flag.
    if (!/^[A-Za-z][A-Za-z0-9]*[= ]\S/.test(opt)) throw usage(`--ssh-option ${opt}: expected Name=value (an ssh_config option)`);
    args.push('-o', opt);
  }
  const root = v['ssh-rootfs'];
  if (root !== undefined) {
    // A path on the device, checked there by its own flash.js; here only its form.
    if (!root.startsWith('/') || root.split('/').includes('..')) throw usage(`--ssh-rootfs ${root}: expected an absolute path on the device`);
    if (v.deps === 'device' && root.replace(/\/+$/, '') !== '') throw usage('--deps device runs npm ci on the device: it needs --ssh-rootfs / (the default)');
  }
  return args;
}

const repoRoot = () => {
  // firmware/deploy → repo; dist/firmware/deploy → bundle root
  const here = dirname(fileURLToPath(import.meta.url));
  return existsSync(join(here, '../../package.json')) ? join(here, '../..') : join(here, '../../..');
};

async function siteHealthUrl(siteFile: string): Promise<string> {
  const site = await loadSite(siteFile);
  const host = site.status?.host && site.status.host !== '0.0.0.0' ? site.status.host : '127.0.0.1';
  return `http://${host}:${site.status?.port ?? 8080}/healthz`;
}

/** Board profile for the unit: named, or detected on a live root; null for auto on an image. */
async function resolveBoard(o: FlashOptions, root: string): Promise<BoardProfile | null> {
  if (o.board !== 'auto') return getBoard(o.board)!;
  if (!isLive(root)) return null;
  const found = detectBoard(await readProbe('/'));
  if (!found.ok) throw new FlashError(found.error.message, 2);
  return found.board;
}

async function checkSiteFile(o: FlashOptions, board: BoardProfile | null): Promise<void> {
  try {
    const site = await loadSite(o.site);
    const problems = checkSite(site, board);
    if (problems.length > 0) {
      throw new FlashError(`${o.site}: ${problems.length} problem(s)\n` + problems.map((p) => `  ${p.path}: ${p.message}`).join('\n'), 1);
    }
  } catch (err) {
    if (err instanceof SiteError) throw new FlashError(err.message, 1);
    throw err;
  }
}

/**
 * Keys a bundle must be signed with: the target's /etc/wayside/release.pub (the trust
 * anchor installed by the first signed flash) and --verify-key; both when both exist. Only
 * when neither exists is the public half of --sign-key used, and an unsigned bundle accepted
 * when there is no key at all (hashes are still checked).
 */
async function verifyKeys(o: FlashOptions, root: string): Promise<{ pem: string; from: string }[]> {
  const found: { pem: string; from: string }[] = [];
  if (existsSync(join(root, 'etc/wayside/release.pub'))) {
    found.push({ pem: await readFile(join(root, 'etc/wayside/release.pub'), 'utf8'), from: '/etc/wayside/release.pub on the target' });
  }
  if (o.verifyKey) found.push({ pem: await readFile(o.verifyKey, 'utf8'), from: o.verifyKey });
  if (found.length === 0 && o.signKey) {
    const pem = createPublicKey(createPrivateKey(await readFile(o.signKey))).export({ type: 'spki', format: 'pem' }).toString();
    found.push({ pem, from: `public half of ${o.signKey}` });
  }
  return found;
}

type Log = (line: string) => void;

async function install(o: FlashOptions, root: string, log: Log): Promise<number> {
  if (!o.dryRun && process.getuid?.() !== 0) {
    throw new FlashError('installing sets file owners and runs systemd-sysusers on the target: run flash.sh as root (sudo), or add --dry-run', 2);
  }
  const board = await resolveBoard(o, root);
  await checkSiteFile(o, board);
  log(`flash: board ${o.board}${board && o.board === 'auto' ? ` (detected ${board.id})` : ''}, site ${o.site}, root ${root}${o.dryRun ? ' — DRY RUN, nothing is changed' : ''}`);

  let bundleDir = o.bundle;
  let scratch: string | null = null;
  try {
    if (!bundleDir) {
      if (o.dryRun) {
        log(`would     build the bundle (npm run build, deps ${o.deps}, manifest${o.signKey ? ' signed' : ''}) and verify it`);
      } else {
        scratch = o.bundleOut ?? (await mkdtemp(join(tmpdir(), 'wayside-bundle-')));
        const signingKeyPem = o.signKey ? await readFile(o.signKey, 'utf8') : undefined;
        bundleDir = (await buildBundle({ repo: repoRoot(), out: scratch, siteFile: o.site, version: o.version, deps: o.deps, arch: o.arch, skipBuild: o.skipBuild, signingKeyPem, log })).dir;
        if (o.bundleOut) scratch = null;
      }
    }

    let version = o.version ?? '<version of the bundle>';
    const keys = await verifyKeys(o, root);
    if (bundleDir) {
      const checks = keys.length > 0 ? keys : [{ pem: undefined, from: 'none: unsigned releases accepted until a key is installed' }];
      for (const key of checks) {
        const verified = await verifyBundle(bundleDir, key.pem);
        if (!verified.ok) {
          throw new FlashError(`bundle ${bundleDir} refused (verify key: ${key.from}):\n` + verified.problems.slice(0, 20).map((p) => `  ${p}`).join('\n'), 1);
        }
        version = verified.version!;
        log(`verified  ${bundleDir}: manifest ok, ${verified.signed ? 'signature ok' : 'unsigned'} (verify key: ${key.from})`);
      }
    }

    // The version names a directory on the target: an unsigned manifest must not steer it elsewhere.
    if (bundleDir && !VERSION_RE.test(version)) throw new FlashError(`bundle version ${JSON.stringify(version)} is not a valid release name`, 1);
    const previous = await currentRelease(root);
    if (previous === version) throw new FlashError(`release ${version} is already current on ${root}; give a new --version`, 1);
    const releasePub = existsSync(join(root, 'etc/wayside/release.pub')) ? undefined : keys[0]?.pem;
    const actions: Action[] = await planInstall({
      root, bundleDir: bundleDir ?? '<bundle>', version, boardId: o.board, board, siteFile: o.site, npmCi: o.deps === 'device',
      keysDir: o.keys, releasePubPem: releasePub, node: o.node, watchdogSec: o.watchdogSec,
    });
    const probe: HealthProbe = o.health ?? { url: await siteHealthUrl(o.site) };
    const checkNow = o.health !== undefined || isLive(root);
    const switchAction: Action = { op: 'symlink', path: '/opt/wayside/current', target: `releases/${version}` };
    const pending = { version, previous, health: probe, deadlineS: o.healthTimeoutS };

    if (o.dryRun) {
      for (const a of [...actions, switchAction, ...planActivate(root)]) log(`would     ${describe(a)}`);
      log(`would     write /opt/wayside/pending.json: ${JSON.stringify(pending)}`);
      log(checkNow
        ? `would     wait up to ${o.healthTimeoutS} s for ${describeProbe(probe)}, else switch back to ${previous ?? '(no previous release)'}`
        : `would     leave the health check to wayside-guard.service on first boot (${describeProbe(probe)}, ${o.healthTimeoutS} s)`);
      const wouldGo = (await listReleases(root)).filter((v) => v !== previous).slice(Math.max(0, o.keep - 1));
      log(`would     keep ${o.keep} release(s)${wouldGo.length ? `, removing ${wouldGo.join(', ')}` : ''}`);
      return 0;
    }

    for (const a of actions) {
      log(describe(a));
      await apply(root, a);
    }
    log(`${describe(switchAction)}  (was ${previous ?? 'none'})`);
    await writePending(root, pending);
    await apply(root, switchAction);
    for (const a of planActivate(root)) {
      log(describe(a));
      await apply(root, a);
    }
    if (!checkNow) {
      log(`pending   ${layout('/').pending}: wayside-guard.service checks ${describeProbe(probe)} on first boot`);
    } else {
      log(`health    waiting up to ${o.healthTimeoutS} s for ${describeProbe(probe)}`);
      const outcome = await confirmOrRollback(root, () => {
        if (isLive(root)) spawnSync('systemctl', ['restart', 'wayside.service'], { stdio: 'inherit' });
      });
      log(`health    ${describeOutcome(outcome)}`);
      if (outcome.kind !== 'confirmed') return 1;
    }
    const current = await currentRelease(root);
    const removed = await pruneReleases(root, o.keep, [current, previous]);
    if (removed.length) log(`prune     removed ${removed.join(', ')} (keeping ${o.keep})`);
    log(`done      /opt/wayside/current -> releases/${current}`);
    return 0;
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/** `mktemp -d` on the device fills in the X's. */
const REMOTE_STAGING_TEMPLATE = '/tmp/wayside-flash.XXXXXXXX';

/** Runs `argv` (ssh … mktemp -d TEMPLATE): the staging directory's path, checked to be what mktemp makes (it goes into shell lines). */
function makeRemoteStaging(argv: string[], host: string): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  const dir = (r.stdout ?? '').trim();
  if (r.status !== 0 || !/^\/tmp\/wayside-flash\.[A-Za-z0-9]{8}$/.test(dir)) {
    throw new FlashError(`could not make a staging directory on ${host} (mktemp -d exit ${r.status ?? 'none'}, printed ${JSON.stringify(dir.slice(0, 200))})`, 1);
  }
  return dir;
}

/**
 * Over ssh: the bundle (with its compiled flash code) is copied to a staging directory the
 * device makes with `mktemp -d /tmp/wayside-flash.XXXXXXXX`, and the same install runs there
 * with `--rootfs /` (or `--ssh-rootfs`), under sudo; the staging directory is removed
 * afterwards, also when a step fails. A fresh directory of the ssh user's, mode 0700, rather
 * than a fixed /tmp path: the code sudo runs must not be in a place another local user could
 * have made first, and two flashes to one device (or two test runs) must not delete each
 * other's bundle. Needs node on the device and passwordless sudo (or a TTY).
 * test/deploy/flash-ssh.test.ts runs it against a real sshd on 127.0.0.1.
 */
async function installOverSsh(o: FlashOptions, log: Log): Promise<number> {
  await checkSiteFile(o, o.board === 'auto' ? null : getBoard(o.board)!);
  const host = o.ssh!;
  const ssh = ['ssh', ...o.sshArgs];
  // Made on the device by the first step; dry runs show the template.
  let remote = REMOTE_STAGING_TEMPLATE;
  let bundleDir = o.bundle;
  let scratch: string | null = null;
  let pubDir: string | null = null;
  try {
    if (!bundleDir && !o.dryRun) {
      scratch = o.bundleOut ?? (await mkdtemp(join(tmpdir(), 'wayside-bundle-')));
      const signingKeyPem = o.signKey ? await readFile(o.signKey, 'utf8') : undefined;
      bundleDir = (await buildBundle({ repo: repoRoot(), out: scratch, siteFile: o.site, version: o.version, deps: o.deps, arch: o.arch, skipBuild: o.skipBuild, signingKeyPem, log })).dir;
      if (o.bundleOut) scratch = null;
    }
    if (!bundleDir) log(`would     build the bundle (npm run build, deps ${o.deps}, arch ${o.arch}, manifest${o.signKey ? ' signed' : ''})`);
    log(`flash: over ssh to ${host}: the bundle's own flash.js installs it there with --rootfs ${o.sshRootfs}${o.dryRun ? ' — DRY RUN, nothing is changed' : ''}`);
    const name = bundleDir ? basename(bundleDir) : '<version>';
    const localKeys = await verifyKeys(o, '/nonexistent');
    await verifyBeforeCopy(o, ssh, bundleDir, localKeys, log);
    // The device checks the signature itself: it gets the public key beside the bundle.
    const pub = localKeys[0];
    if (pub && !o.dryRun) {
      pubDir = await mkdtemp(join(tmpdir(), 'wayside-pub-'));
      await writeFile(join(pubDir, 'release.pub'), pub.pem);
    }
    const pubFile = pub ? join(pubDir ?? '<tmp>', 'release.pub') : null;
    const mktemp = [...ssh, host, `mktemp -d ${REMOTE_STAGING_TEMPLATE}`];
    log(`${o.dryRun ? 'would     ' : 'run       '}${mktemp.join(' ')}`);
    if (!o.dryRun) remote = makeRemoteStaging(mktemp, host);
    const remoteArgs = [
      'sudo', o.node, `${remote}/${name}/dist/firmware/deploy/flash.js`, '--rootfs', o.sshRootfs, '--board', o.board,
      '--site', `${remote}/${name}/site.yaml`, '--bundle', `${remote}/${name}`, '--keep', String(o.keep),
      '--health-timeout', String(o.healthTimeoutS), '--node', o.node, '--watchdog-sec', String(o.watchdogSec),
      ...(o.keys ? ['--keys', `${remote}/keys`] : []),
      ...(o.deps === 'device' ? ['--deps', 'device'] : []),
      ...(pubFile ? ['--verify-key', `${remote}/release.pub`] : []),
      ...(o.health && 'url' in o.health ? ['--health-url', o.health.url] : []),
      // The health command runs where the service runs: on the device.
      ...(o.health && 'cmd' in o.health ? ['--health-cmd', o.health.cmd] : []),
    ];
    const steps: { argv: string[]; stdin?: string[] }[] = [
      { argv: [...ssh, host, `tar -xz -C ${remote}`], stdin: ['tar', '-cz', '-C', dirname(bundleDir ?? '.'), name] },
      ...(o.keys ? [{ argv: [...ssh, host, `mkdir -p ${remote}/keys && tar -x -C ${remote}/keys`], stdin: ['tar', '-c', '-C', o.keys, '.'] }] : []),
      ...(pubFile ? [{ argv: [...ssh, host, `cat > ${remote}/release.pub`], stdin: ['cat', pubFile] }] : []),
      { argv: ['ssh', '-t', ...o.sshArgs, host, remoteArgs.map(q).join(' ')] },
    ];
    const cleanup = [...ssh, host, `rm -rf ${remote}`];
    const cleanUp = () => {
      const r = spawnSync(cleanup[0]!, cleanup.slice(1), { stdio: 'inherit' });
      if (r.status !== 0) log(`warning   ${cleanup.join(' ')} failed: ${remote} may still hold the bundle and keys on ${host}`);
    };
    for (const s of steps) {
      const line = (s.stdin ? `${s.stdin.join(' ')} | ` : '') + s.argv.join(' ');
      if (o.dryRun) {
        log(`would     ${line}`);
        continue;
      }
      log(`run       ${line}`);
      const ok = s.stdin
        ? spawnSync('/bin/sh', ['-c', `${s.stdin.map(q).join(' ')} | ${s.argv.map(q).join(' ')}`], { stdio: 'inherit' }).status === 0
        : spawnSync(s.argv[0]!, s.argv.slice(1), { stdio: 'inherit' }).status === 0;
      if (!ok) {
        // The keys must not stay in the device's /tmp when the install stops half-way.
        cleanUp();
        throw new FlashError(`${line} failed`, 1);
      }
    }
    log(`${o.dryRun ? 'would     ' : 'run       '}${cleanup.join(' ')}`);
    if (!o.dryRun) cleanUp();
    return 0;
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
    if (pubDir) await rm(pubDir, { recursive: true, force: true });
  }
}

/**
 * The device runs the incoming bundle's own flash.js as root, so the check it makes there is
 * only as good as that code: a bundle that brings a verifier accepting anything would pass it.
 * So the bundle is checked here first, with this checkout's code, against the device's trust
 * anchor (its release.pub, read over ssh) and the keys given here, before anything is copied.
 */
async function verifyBeforeCopy(o: FlashOptions, ssh: string[], bundleDir: string | undefined, localKeys: { pem: string; from: string }[], log: Log): Promise<void> {
  const host = o.ssh!;
  const anchor = `${o.sshRootfs.replace(/\/+$/, '')}/etc/wayside/release.pub`;
  if (o.dryRun || !bundleDir) {
    log(`would     verify the bundle here against ${[`${anchor} on ${host} (if present)`, ...localKeys.map((k) => k.from)].join(', ')}`);
    return;
  }
  const fetched = spawnSync(ssh[0]!, [...ssh.slice(1), host, `if [ -f ${q(anchor)} ]; then cat ${q(anchor)}; fi`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (fetched.status !== 0) throw new FlashError(`cannot read ${anchor} on ${host} over ssh (${fetched.error?.message ?? `exit ${fetched.status}`})`, 1);
  const keys = [...(fetched.stdout.trim() ? [{ pem: fetched.stdout, from: `${anchor} on ${host}` }] : []), ...localKeys];
  const checks = keys.length > 0 ? keys : [{ pem: undefined, from: 'none: unsigned releases accepted until a key is installed' }];
  for (const key of checks) {
    const verified = await verifyBundle(bundleDir, key.pem);
    if (!verified.ok) {
      throw new FlashError(`bundle ${bundleDir} refused before copying it to ${host} (verify key: ${key.from}):\n` + verified.problems.slice(0, 20).map((p) => `  ${p}`).join('\n'), 1);
    }
    log(`verified  ${bundleDir}: manifest ok, ${verified.signed ? 'signature ok' : 'unsigned'} (verify key: ${key.from})`);
  }
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export async function flash(argv: string[], log: Log = (l) => process.stdout.write(l + '\n')): Promise<number> {
  const o = parseFlashArgs(argv);
  if (o.buildOnly) {
    await checkSiteFile(o, o.board === 'auto' ? null : getBoard(o.board)!);
    const signingKeyPem = o.signKey ? await readFile(o.signKey, 'utf8') : undefined;
    const { dir } = await buildBundle({ repo: repoRoot(), out: o.bundleOut!, siteFile: o.site, version: o.version, deps: o.deps, arch: o.arch, skipBuild: o.skipBuild, signingKeyPem, log });
    log(`bundle    ${dir}`);
    return 0;
  }
  if (o.ssh) return installOverSsh(o, log);
  return install(o, o.rootfs!, log);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    process.exitCode = await flash(process.argv.slice(2));
  } catch (err) {
    if (err instanceof FlashError) {
      process.stderr.write(`flash: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else {
      // Build and copy failures (tsc errors, a full disk) are reported as they are, without a stack.
      process.stderr.write(`flash: failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    }
  }
}
