import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BoardProfile } from '../../boards/types.js';
import type { Action } from './actions.js';
import { readTemplate } from './templates.js';
import { renderGuardUnit, renderUnit, renderZram } from './unit.js';

export interface InstallInput {
  /** Target root: `/` on the device itself, an image's mounted root otherwise. */
  readonly root: string;
  readonly bundleDir: string;
  readonly version: string;
  readonly boardId: string;
  readonly board: BoardProfile | null;
  readonly siteFile: string;
  /** Files copied to /etc/wayside/keys (0600, owned by wayside). */
  readonly keysDir?: string;
  /** ed25519 public key (PEM) that future releases must be signed with; installed if absent. */
  readonly releasePubPem?: string;
  readonly node: string;
  readonly watchdogSec: number;
  /** Run `npm ci --omit=dev` in the new release before it goes live (`--deps device`). */
  readonly npmCi?: boolean;
}

const SYSUSERS = '/usr/lib/sysusers.d/wayside.conf';
const UNIT = '/etc/systemd/system/wayside.service';
const GUARD = '/etc/systemd/system/wayside-guard.service';
const WANTS = '/etc/systemd/system/multi-user.target.wants';

function npmCi(dir: string): Action {
  return { op: 'run', argv: ['npm', 'ci', '--omit=dev', '--no-audit', '--no-fund', '--prefix', dir], why: 'production packages built on this device' };
}

/** True when the target root is the running system (install on the device itself). */
export function isLive(root: string): boolean {
  return root === '/' || root === '';
}

/**
 * Everything an install does before `current` is switched. The release is copied under a
 * hidden `.partial` name and renamed into place, so an interrupted copy never looks like a
 * release. The user comes from a sysusers.d file applied with `systemd-sysusers --root`
 * (it edits the target's passwd/group/shadow the way the device's own boot would); unit
 * enablement is the symlink `systemctl enable` would make, so no running systemd is needed.
 */
export async function planInstall(i: InstallInput): Promise<Action[]> {
  const release = `/opt/wayside/releases/${i.version}`;
  const partial = `/opt/wayside/releases/.${i.version}.partial`;
  const live = isLive(i.root);
  const actions: Action[] = [
    { op: 'mkdir', path: '/opt/wayside/releases', mode: 0o755 },
    { op: 'copy-tree', from: i.bundleDir, path: partial },
    ...(i.npmCi ? [npmCi(join(i.root, partial))] : []),
    { op: 'rename', from: partial, path: release },
    // /etc first: systemd-sysusers --root needs it to lock and write passwd/group.
    { op: 'mkdir', path: '/etc/wayside', mode: 0o755 },
    { op: 'write', path: SYSUSERS, content: await readTemplate('sysusers-wayside.conf'), mode: 0o644, why: 'wayside system user in groups gpio, i2c' },
    {
      op: 'run',
      argv: live ? ['systemd-sysusers', SYSUSERS] : ['systemd-sysusers', `--root=${i.root}`, join(i.root, SYSUSERS)],
      why: 'create the user and groups now',
    },
    { op: 'write', path: '/etc/wayside/site.yaml', content: await readFile(i.siteFile, 'utf8'), mode: 0o640, owner: 'root:wayside', why: `site file ${i.siteFile}` },
    { op: 'mkdir', path: '/etc/wayside/keys', mode: 0o700, owner: 'wayside:wayside' },
  ];
  if (i.keysDir) {
    for (const name of (await readdir(i.keysDir)).sort()) {
      actions.push({ op: 'copy-file', from: join(i.keysDir, name), path: `/etc/wayside/keys/${name}`, mode: 0o600, owner: 'wayside:wayside' });
    }
  }
  if (i.releasePubPem) {
    actions.push({ op: 'write', path: '/etc/wayside/release.pub', content: i.releasePubPem, mode: 0o644, why: 'releases must be signed with this key from now on' });
  }
  actions.push(
    { op: 'mkdir', path: '/var/lib/wayside', mode: 0o750, owner: 'wayside:wayside' },
    { op: 'write', path: '/etc/udev/rules.d/60-wayside.rules', content: await readTemplate('60-wayside.rules'), mode: 0o644, why: 'gpiochip and i2c access for groups gpio, i2c' },
    { op: 'write', path: UNIT, content: await renderUnit({ boardId: i.boardId, board: i.board, node: i.node, watchdogSec: i.watchdogSec }), mode: 0o644, why: 'the service' },
    { op: 'write', path: GUARD, content: await renderGuardUnit(i.node), mode: 0o644, why: 'health check and rollback after an update' },
    { op: 'symlink', path: `${WANTS}/wayside.service`, target: UNIT },
    { op: 'symlink', path: `${WANTS}/wayside-guard.service`, target: GUARD },
    { op: 'write', path: '/etc/systemd/zram-generator.conf', content: await renderZram(i.board, i.boardId), mode: 0o644, why: 'zram swap' },
    { op: 'write', path: '/etc/sysctl.d/90-wayside.conf', content: await readTemplate('sysctl-wayside.conf'), mode: 0o644, why: 'swappiness for zram' },
  );
  return actions;
}

/** After the switch on a live system: reload what changed and restart the service. */
export function planActivate(root: string): Action[] {
  if (!isLive(root)) return [];
  return [
    { op: 'run', argv: ['systemctl', 'daemon-reload'], why: 'pick up the unit files' },
    { op: 'run', argv: ['udevadm', 'control', '--reload-rules'], why: 'load the udev rules' },
    { op: 'run', argv: ['udevadm', 'trigger', '--subsystem-match=gpio', '--subsystem-match=i2c-dev'], why: 'apply them to existing devices' },
    { op: 'run', argv: ['sysctl', '-q', '-p', '/etc/sysctl.d/90-wayside.conf'], why: 'swappiness now' },
    { op: 'run', argv: ['systemctl', 'restart', 'wayside.service'], why: 'start the new release' },
  ];
}
