import { spawn } from 'node:child_process';

/**
 * Waiting for a freshly switched release to answer its health check. Either an HTTP URL
 * (the runtime's /healthz: 200 = the control loop ticks) or a shell command that exits 0
 * when healthy (for tests and for sites whose status server is not on loopback).
 */
export type HealthProbe = { readonly url: string } | { readonly cmd: string };

export interface HealthResult {
  readonly ok: boolean;
  readonly attempts: number;
  /** What the last attempt saw: `HTTP 503`, `ECONNREFUSED`, `exit 1`. */
  readonly last: string;
}

async function once(probe: HealthProbe, timeoutMs: number): Promise<{ ok: boolean; what: string }> {
  if ('url' in probe) {
    try {
      const res = await fetch(probe.url, { signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer();
      return { ok: res.status === 200, what: `HTTP ${res.status}` };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      return { ok: false, what: cause?.code ?? (err as Error).name };
    }
  }
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', probe.cmd], { stdio: 'ignore', timeout: timeoutMs });
    child.on('error', (err) => resolve({ ok: false, what: err.message }));
    child.on('exit', (code, signal) => resolve({ ok: code === 0, what: signal ? `killed by ${signal}` : `exit ${code}` }));
  });
}

/** Polls until healthy or `deadlineMs` has passed (wall time: this is I/O, not control logic). */
export async function waitHealthy(probe: HealthProbe, deadlineMs: number, intervalMs = 500): Promise<HealthResult> {
  const end = performance.now() + deadlineMs;
  let attempts = 0;
  let last = 'not tried';
  for (;;) {
    attempts++;
    const r = await once(probe, Math.floor(Math.max(200, Math.min(2000, end - performance.now()))));
    last = r.what;
    if (r.ok) return { ok: true, attempts, last };
    if (performance.now() + intervalMs >= end) return { ok: false, attempts, last };
    await new Promise((res) => setTimeout(res, intervalMs));
  }
}

export function describeProbe(p: HealthProbe): string {
  return 'url' in p ? p.url : `\`${p.cmd}\``;
}
