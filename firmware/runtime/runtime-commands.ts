import type { ResetMonitorResult } from '../uplink/commands.js';
import type { ControllerSection } from '../site/sections/controller.js';
import type { Intersection } from './intersection-part.js';
import type { JobResult } from './jobs.js';
import { parseRemotePlan } from './remote-plan.js';
import type { Runtime } from './runtime.js';
import type { WorkerClient } from './worker-client.js';

/**
 * The remote commands (firmware/uplink/commands.ts), carried out on the control thread. The
 * uplink thread has already checked the token, freshness, replay window, allow-list and
 * argument shapes; it forwards the command here (runtime.ts `workerEvent`) and puts what these
 * return, or the message they throw, in the ack.
 *
 * Each handler is short and synchronous, except `retrain`, which waits for the refit job on
 * the jobs thread without holding the control loop.
 */
export interface RuntimeCommandsOptions {
  readonly runtime: Runtime;
  readonly intersection: Intersection;
  /** The site file's controller section (what `set-plan <pattern>` goes back to). */
  readonly sitePlan: ControllerSection;
  readonly jobs: WorkerClient | null;
  /** Bound on the refit job (default 30 s). */
  readonly retrainTimeoutMs?: number;
}

const FAULTS_IN_STATE = 10;

export class RuntimeCommands {
  constructor(private readonly o: RuntimeCommandsOptions) {}

  /** Runs one command; throws (message for the error ack) if it cannot be done. */
  run(cmd: string, args: Record<string, unknown>): unknown | Promise<unknown> {
    switch (cmd) {
      case 'get-state':
        return this.state();
      case 'set-plan':
        return this.setPlan(args.plan as string | number | Record<string, unknown>);
      case 'reset-monitor':
        return this.resetMonitor();
      case 'retrain':
        return this.retrain(args.stream as string | undefined);
      default:
        throw new Error(`unsupported: ${cmd} is not supported on this device`);
    }
  }

  /** A compact snapshot: phases, controller, monitor, recent faults, sensor health. */
  state(): Record<string, unknown> {
    const s = this.o.runtime.snapshot();
    const specs = this.o.runtime.pipeline.streams;
    return {
      site: s.site,
      board: s.board,
      uptime_s: Math.round(s.uptimeS),
      controller: s.controller,
      phases: s.phases.map((p) => ({ phase: p.phase, indication: p.indication, call: p.call, ...(p.walk ? { walk: p.walk } : {}) })),
      monitor: s.monitor,
      faults: s.faults.slice(-FAULTS_IN_STATE).map((f) => ({ at: f.at, kind: f.kind, source: f.source, message: f.message })),
      sensors: s.streams.map((st, i) => ({
        name: st.name,
        value: st.value === null ? null : round(st.value),
        score: st.score === null ? null : round(st.score),
        alerting: st.alerting,
        stale: st.ageMs === null || st.ageMs > staleAfterMs(specs[i]?.rateHz ?? 1),
      })),
      i2c_errors: s.i2cErrors,
      counters: s.counters,
    };
  }

  setPlan(plan: string | number | Record<string, unknown>): { strategy: string; pattern: number } {
    const ix = this.o.intersection;
    const section = parseRemotePlan(plan, ix.planSection, this.o.sitePlan);
    const r = ix.setPlan(section);
    this.o.runtime.emit('info', this.o.runtime.now(), 'command', `set-plan: ${r.strategy}, pattern ${r.pattern}`);
    return r;
  }

  resetMonitor(): ResetMonitorResult {
    const r = this.o.intersection.resetMonitor();
    const rt = this.o.runtime;
    if (r.cleared) rt.monitorReset();
    rt.emit('info', rt.now(), 'command', r.cleared ? 'reset-monitor: cleared' : `reset-monitor refused: ${r.reason}`);
    return r;
  }

  async retrain(stream: string | undefined): Promise<Record<string, unknown>> {
    const rt = this.o.runtime;
    if (stream !== undefined && !rt.pipeline.streams.some((s) => s.name === stream)) {
      throw new Error(`stream: no stream "${stream}" on this device; known: ${rt.pipeline.streams.map((s) => s.name).join(', ')}`);
    }
    if (!this.o.jobs) throw new Error('retrain: the jobs thread is not running on this device');
    const res = await this.o.jobs.request<JobResult>('run', 'detector_refit', { timeoutMs: this.o.retrainTimeoutMs ?? 30_000 });
    if (!res.ok) throw new Error(`retrain: ${res.message}`);
    const all = ((res.details as { thresholds?: { stream: string; samples: number; threshold: number }[] } | undefined)?.thresholds ?? []);
    const chosen = stream === undefined ? all : all.filter((t) => t.stream === stream);
    if (stream !== undefined && chosen.length === 0) throw new Error(`stream: "${stream}" has too little history to refit yet`);
    rt.applyThresholds(chosen);
    rt.emit('job', rt.now(), 'command', `retrain: ${chosen.length} stream(s) refit`);
    return { refit: chosen.map((t) => ({ stream: t.stream, samples: t.samples, threshold: round(t.threshold) })) };
  }
}

/** A stream is stale after three missed samples, and never before 3 s (1 Hz streams jitter). */
export function staleAfterMs(rateHz: number): number {
  return Math.max(3000, 3000 / rateHz);
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
