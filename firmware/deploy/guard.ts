import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { describeProbe, waitHealthy, type HealthResult } from './health.js';
import { clearPending, readPending, switchCurrent } from './release.js';

export type GuardOutcome =
  | { readonly kind: 'nothing-pending' }
  | { readonly kind: 'confirmed'; readonly version: string; readonly health: HealthResult }
  | { readonly kind: 'rolled-back'; readonly version: string; readonly to: string; readonly health: HealthResult }
  | { readonly kind: 'failed-no-previous'; readonly version: string; readonly health: HealthResult };

/**
 * Confirms the pending release or rolls it back: waits for the health probe up to the
 * pending deadline; healthy → the pending mark is cleared; not healthy → `current` points at
 * the previous release again and `restart()` restarts the service on it. Used by flash.sh
 * right after a switch and by wayside-guard.service on the first boot after an offline install.
 */
export async function confirmOrRollback(root: string, restart: () => void = () => undefined): Promise<GuardOutcome> {
  const pending = await readPending(root);
  if (!pending) return { kind: 'nothing-pending' };
  const health = await waitHealthy(pending.health, pending.deadlineS * 1000);
  if (health.ok) {
    await clearPending(root);
    return { kind: 'confirmed', version: pending.version, health };
  }
  if (!pending.previous) {
    await clearPending(root);
    return { kind: 'failed-no-previous', version: pending.version, health };
  }
  await switchCurrent(root, pending.previous);
  await clearPending(root);
  restart();
  return { kind: 'rolled-back', version: pending.version, to: pending.previous, health };
}

export function describeOutcome(o: GuardOutcome): string {
  switch (o.kind) {
    case 'nothing-pending':
      return 'no pending release';
    case 'confirmed':
      return `release ${o.version} is healthy (${o.health.last} after ${o.health.attempts} attempt(s)); confirmed`;
    case 'rolled-back':
      return `release ${o.version} failed its health check (last: ${o.health.last}); rolled back to ${o.to}`;
    case 'failed-no-previous':
      return `release ${o.version} failed its health check (last: ${o.health.last}) and there is no previous release to roll back to`;
  }
}

/** `node guard.js --root /`: what wayside-guard.service runs on the device. */
async function main(argv: string[]): Promise<number> {
  const i = argv.indexOf('--root');
  const root = i >= 0 ? (argv[i + 1] ?? '/') : '/';
  const pending = await readPending(root);
  if (pending) process.stdout.write(`wayside-guard: waiting up to ${pending.deadlineS} s for ${describeProbe(pending.health)}\n`);
  const outcome = await confirmOrRollback(root, () => {
    spawnSync('systemctl', ['restart', 'wayside.service'], { stdio: 'inherit' });
  });
  process.stdout.write(`wayside-guard: ${describeOutcome(outcome)}\n`);
  return outcome.kind === 'confirmed' || outcome.kind === 'nothing-pending' ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
