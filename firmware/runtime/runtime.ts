import type { Clock } from '../../drivers/hal/clock.js';
import { StatusThread } from '../status/status-thread.js';
import type { FaultView, StatusSnapshot, StreamView } from '../status/snapshot.js';
import { INDICATION_CODE, type Indication } from '../status/snapshot.js';
import { applyAffinity, onlineCpus, planAffinity, type AffinityPlan, type AffinityResult, type ThreadRole } from './affinity.js';
import type { ThreadHandle } from './thread-handle.js';
import { BoundedQueue, type Stage } from './bounded-queue.js';
import { ControlLoop } from './control-loop.js';
import { EventLog } from './event-log.js';
import { Heartbeat } from './heartbeat.js';
import type { IntersectionPart, SamplerPart, SimulationPart, UplinkPart } from './parts.js';
import { createEventPool, type RuntimeEvent, type RuntimeEventKind } from './runtime-event.js';
import { SensorPipeline, type StreamDetector, type StreamSpec } from './sensor-pipeline.js';
import type { WorkerClient } from './worker-client.js';
import type { RuntimeCommands } from './runtime-commands.js';

export interface RuntimeOptions {
  readonly site: string;
  readonly board: string;
  readonly clock: Clock;
  readonly tickMs: number;
  readonly historyS: number;
  /** null: no status server. */
  readonly status: { host: string; port: number; staleMs: number; publishHz: number } | null;
  readonly eventLog: string | null;
  readonly affinity: { mode: string; profile: AffinityPlan | undefined; realtime: boolean };
  /** The detector and alert threshold for a stream sampled at `rateHz` (null detector: no scoring). */
  readonly detectorFor: (streamName: string, rateHz: number) => { detector: StreamDetector | null; threshold: number };
  /** Human-readable progress (stdout); null for quiet. */
  readonly print: ((line: string) => void) | null;
  /** systemd: ready once at start, a pet per healthy control tick. */
  readonly watchdog?: { ready(): void; pet(): void; stopping?(): void };
  readonly missing?: readonly string[];
}

export interface RuntimeParts {
  readonly intersection: IntersectionPart | null;
  readonly sampler: SamplerPart | null;
  readonly simulation: SimulationPart | null;
  readonly uplink: UplinkPart | null;
  /** Streams fed by something other than the sampler (a model's score), after the sampler's. */
  readonly extraStreams?: readonly StreamSpec[];
  /** Worker threads already started (inference, jobs), by role, to pin and stop. */
  readonly workers?: readonly { client: WorkerClient; role: ThreadRole }[];
}

/** What `wayside run --json` prints at exit (exact keys from the issue). */
export interface RunSummary {
  samples: number;
  alerts: number;
  phase_changes: number;
  monitor_trips: number;
  raw_bytes: number;
  uplinked_bytes: number;
  peak_rss_mb: number;
}

const MAX_FAULTS = 50;

/**
 * The cabinet runtime: one control thread that ticks the intersection and drains the sensor
 * pipeline, with the status server, the jobs and the inference on worker threads.
 *
 * Stage boundaries and their policies:
 * - sampler → detectors: `SampleQueue` "samples", drop-oldest, counted.
 * - detectors/controller → log + uplink: "alerts" (alerts, faults), spill: never dropped; past
 *   capacity they are written through at once (event log + uplink outbox).
 * - controller → log: "events" (phase changes, job results), drop-oldest, counted.
 * - control thread → status thread: one snapshot per publish period; the SSE fan-out skips
 *   frames for slow clients.
 */
export class Runtime {
  readonly pipeline: SensorPipeline;
  readonly loop: ControlLoop;
  readonly heartbeat = new Heartbeat();
  readonly alerts: BoundedQueue<RuntimeEvent>;
  readonly events: BoundedQueue<RuntimeEvent>;
  readonly pool = createEventPool(512);
  statusThread: StatusThread | null = null;
  affinity: AffinityResult | null = null;
  private log: EventLog | null = null;
  private readonly faults: FaultView[] = [];
  private publishTimer: NodeJS.Timeout | undefined;
  private printTimer: NodeJS.Timeout | undefined;
  private seq = 0;
  private readonly startedAt = performance.now();
  private inferenceLatencies: { model: string; ms: number }[] = [];
  private stopped: Promise<RunSummary> | null = null;
  private lastGreens = '';
  private crashed = false;
  /** Remote commands (forwarded by the uplink thread); set by cabinet.ts. */
  commands: RuntimeCommands | null = null;
  peakRssMb = 0;
  /** Stages the status page reports, in pipeline order. */
  readonly stages: Stage[];
  /** Indication per phase number, in shared memory for the lamp self-test job. */
  readonly indications = new Uint8Array(new SharedArrayBuffer(9));

  constructor(
    private readonly options: RuntimeOptions,
    readonly parts: RuntimeParts,
  ) {
    const streams = [...(parts.sampler?.streams ?? []), ...(parts.extraStreams ?? [])];
    const det = streams.map((s) => options.detectorFor(s.name, s.rateHz));
    this.pipeline = new SensorPipeline(streams, {
      windowS: options.historyS,
      queueCapacity: Math.max(256, Math.ceil(streams.reduce((a, s) => a + s.rateHz, 0) * 2)),
      detectors: det.map((d) => d.detector),
      threshold: 1,
      shared: true,
      onAlert: (i, t, v, score) => this.emit('alert', t, streams[i]!.name, `anomaly score ${score.toFixed(3)} at ${fmt(v)} ${streams[i]!.unit}`, v, score),
    });
    det.forEach((d, i) => (this.pipeline.thresholds[i] = d.threshold));
    this.alerts = new BoundedQueue<RuntimeEvent>('alerts', 1024, 'spill', { spill: (e) => this.deliver(e) });
    this.events = new BoundedQueue<RuntimeEvent>('events', 1024, 'drop-oldest', { onDrop: (e) => this.pool.release(e) });
    this.stages = [this.pipeline.queue, this.alerts, this.events];
    this.loop = new ControlLoop(options.clock, {
      periodMs: options.tickMs,
      heartbeat: this.heartbeat,
      step: (now) => this.step(now),
      monitorHealthy: () => parts.intersection?.monitorHealthy() ?? true,
      onHealthyTick: options.watchdog ? () => options.watchdog!.pet() : undefined,
      onError: (err) => this.controlError(err),
    });
    const ix = parts.intersection;
    if (ix) {
      ix.onPhaseChange = (phase, indication, t) => {
        this.indications[phase] = INDICATION_CODE[indication as Indication] ?? 0;
        this.emit('phase', t, `phase ${phase}`, indication, NaN, NaN, phase);
      };
      ix.onFault = (source, message, t) => this.emit('fault', t, source, message);
    }
    if (parts.sampler) parts.sampler.onFault = (source, message, t) => this.emit('fault', t, source, message);
  }

  /** Starts everything; resolves when the status server listens and the first tick is due. */
  async start(): Promise<void> {
    const o = this.options;
    if (o.eventLog) this.log = new EventLog(o.eventLog);
    if (o.status) {
      this.statusThread = await StatusThread.start(this.heartbeat, { host: o.status.host, port: o.status.port, staleMs: o.status.staleMs });
    }
    for (const w of this.parts.workers ?? []) {
      await w.client.ready;
      if (w.role === 'inference') {
        w.client.onLatency = (model, ms) => {
          if (this.inferenceLatencies.length < 256) this.inferenceLatencies.push({ model, ms });
        };
      }
      w.client.onEvent = (ev) => this.workerEvent(w.client, ev);
      this.watchThread(w.client.name, w.client.worker);
    }
    if (this.statusThread) this.watchThread('status', this.statusThread.handle);
    this.applyAffinity();
    await this.parts.sampler?.start((i, t, v) => this.pipeline.offer(i, t, v));
    this.parts.simulation?.start();
    this.loop.start();
    o.watchdog?.ready();
    if (o.status) {
      const period = Math.max(20, Math.round(1000 / o.status.publishHz));
      this.publishTimer = setInterval(() => this.publish(), period);
      this.publishTimer.unref();
    }
    if (o.print) {
      this.printTimer = setInterval(() => this.printSensors(), 10_000);
      this.printTimer.unref();
    }
  }

  get eventLogPath(): string | null {
    return this.options.eventLog;
  }

  /** Where the dashboard is (`http://127.0.0.1:8080`), or null without a status server. */
  get statusUrl(): string | null {
    return this.statusThread?.url ?? null;
  }

  private applyAffinity(): void {
    const o = this.options.affinity;
    let plan: AffinityPlan | null = null;
    const warnings: string[] = [];
    try {
      plan = planAffinity(o.mode, o.profile, onlineCpus());
    } catch (err) {
      warnings.push((err as Error).message);
    }
    const roles = new Map<number, { role: ThreadRole; name: string }>([[process.pid, { role: 'control', name: 'control' }]]);
    // Services that share the system thread share its tid: one thread, named after all of them.
    const add = (tid: number, role: ThreadRole, name: string): void => {
      const had = roles.get(tid);
      roles.set(tid, had ? { role: had.role, name: `${had.name}+${name}` } : { role, name });
    };
    if (this.statusThread?.tid) add(this.statusThread.tid, 'system', 'status');
    for (const w of this.parts.workers ?? []) if (w.client.tid !== null) add(w.client.tid, w.role, w.client.name);
    const res = applyAffinity(o.mode, plan, roles, { realtime: o.realtime });
    this.affinity = { ...res, warnings: [...warnings, ...res.warnings] };
    if (this.options.print) {
      if (plan) this.options.print(`affinity: control on ${fmtList(plan.control)}, inference on ${fmtList(plan.inference)}, system on ${fmtList(plan.system)}`);
      else this.options.print(`affinity: ${o.mode === 'off' ? 'off' : 'left to the OS (the board profile names no cores)'}`);
      for (const w of this.affinity.warnings) this.options.print(`warning: ${w}`);
    }
  }

  private step(now: number): void {
    this.parts.intersection?.step(now);
    this.pipeline.drain(4096);
    // Hand alerts and events over: bounded work per tick.
    for (let i = 0; i < 64; i++) {
      const e = this.alerts.shift();
      if (!e) break;
      this.deliver(e);
    }
    for (let i = 0; i < 64; i++) {
      const e = this.events.shift();
      if (!e) break;
      this.deliver(e);
    }
  }

  private controlError(err: unknown): void {
    const msg = err instanceof Error ? err.message : String(err);
    this.parts.intersection?.safeState(`control step failed: ${msg}`);
    this.heartbeat.setSafeState(true);
    this.emit('fault', this.options.clock.now(), 'control', `control step failed: ${msg}`);
  }

  /**
   * A worker thread that dies (an uncaught error in a service, or the OS) is a fault, logged
   * and uplinked like any other: its service (status page, jobs, uplink, inference) has stopped
   * while the controller carries on. Services sharing the system thread each report it. Exits
   * during stop() are the normal end and say nothing.
   */
  private watchThread(name: string, handle: ThreadHandle): void {
    let why = '';
    handle.on('error', (e: Error) => (why = `: ${e.message}`));
    handle.on('exit', (code: number) => {
      if (this.stopped) return;
      this.emit('fault', this.options.clock.now(), `thread ${name}`, `the ${name} thread exited (code ${code})${why}; its service has stopped`);
    });
  }

  /** Queues an event; alerts and faults on the never-drop queue. */
  emit(kind: RuntimeEventKind, tMs: number, source: string, message: string, value = NaN, score = NaN, phase = 0): void {
    const e = this.pool.acquire();
    e.kind = kind;
    e.tMs = tMs;
    e.wallMs = Date.now();
    e.source = source;
    e.message = message;
    e.value = value;
    e.score = score;
    e.phase = phase;
    if (kind === 'alert' || kind === 'fault') {
      this.alerts.push(e, tMs);
      this.rememberFault(e);
      this.options.print?.(`${kind === 'alert' ? 'ALERT' : 'FAULT'} ${source}: ${message}`);
      if (kind === 'fault' && source === 'monitor') this.heartbeat.setSafeState(true);
    } else {
      this.events.push(e, tMs);
      if (kind === 'phase') this.printPhases();
    }
  }

  private deliver(e: RuntimeEvent): void {
    const rec = e.toJSON();
    this.log?.append(rec);
    if (e.kind === 'alert' || e.kind === 'fault') this.parts.uplink?.publish(rec);
    this.pool.release(e);
  }

  private rememberFault(e: RuntimeEvent): void {
    this.faults.push({ tMs: e.tMs, at: new Date(e.wallMs).toISOString(), kind: e.kind, source: e.source, message: e.message });
    if (this.faults.length > MAX_FAULTS) this.faults.shift();
  }

  /** The control clock's time (ms). */
  now(): number {
    return this.options.clock.now();
  }

  /** After a monitor reset cleared its flash: health follows the monitor again. */
  monitorReset(): void {
    if (!this.crashed && !this.stopped) this.heartbeat.setSafeState(false);
  }

  /** New alert thresholds (a refit), by stream name. */
  applyThresholds(thresholds: readonly { stream: string; threshold: number }[]): void {
    for (const th of thresholds) {
      const i = this.pipeline.indexOf(th.stream);
      if (i >= 0) this.pipeline.thresholds[i] = th.threshold;
    }
  }

  /**
   * A remote command from the uplink thread: run it here, on the control thread, and post the
   * result back. The uplink thread bounds its wait; an answer after that is ignored there.
   */
  private command(client: WorkerClient, c: { id: number; cmd: string; args: Record<string, unknown> }): void {
    const reply = (r: { ok: true; result: unknown } | { ok: false; error: string }): void => {
      client.request('command-result', { id: c.id, ...r }, { timeoutMs: 5000 }).catch(() => undefined);
    };
    if (!this.commands) return reply({ ok: false, error: 'commands are not available on this device' });
    let out: unknown;
    try {
      out = this.commands.run(c.cmd, c.args);
    } catch (err) {
      return reply({ ok: false, error: err instanceof Error ? err.message : String(err) });
    }
    Promise.resolve(out).then(
      (result) => reply({ ok: true, result }),
      (err: unknown) => reply({ ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
  }

  private workerEvent(client: WorkerClient, ev: unknown): void {
    const worker = client.name;
    const cmd = (ev as { command?: { id: number; cmd: string; args: Record<string, unknown> } }).command;
    if (cmd) return this.command(client, cmd);
    const r = ev as { job?: string; ok?: boolean; message?: string; details?: { thresholds?: { stream: string; threshold: number }[] } };
    if (!r.job) return;
    if (r.job === 'detector_refit' && r.details?.thresholds) this.applyThresholds(r.details.thresholds);
    const now = this.options.clock.now();
    if (r.ok === false) this.emit('fault', now, `${worker}:${r.job}`, r.message ?? 'failed');
    else this.emit('job', now, `${worker}:${r.job}`, r.message ?? 'ok');
  }

  private printPhases(): void {
    const ix = this.parts.intersection;
    if (!this.options.print || !ix) return;
    const greens = ix
      .view()
      .filter((p) => p.indication === 'green' || p.indication === 'yellow')
      .map((p) => `${p.phase}${p.indication === 'yellow' ? 'y' : ''}`)
      .join('+');
    const line = greens || (ix.monitor().tripped ? 'all-red flash' : 'all red');
    if (line === this.lastGreens) return;
    this.lastGreens = line;
    this.options.print(`t=${(this.options.clock.now() / 1000).toFixed(1).padStart(7)}s  phases ${line}`);
  }

  private printSensors(): void {
    const p = this.pipeline;
    const parts: string[] = [];
    p.streams.forEach((s, i) => {
      if (s.name.endsWith('.occupancy')) return; // eight loops would drown the line
      const v = p.rings.rings[i]!.latest();
      if (!Number.isNaN(v)) parts.push(`${s.name}=${fmt(v)}${s.unit}${p.alerting[i] ? '!' : ''}`);
    });
    if (parts.length) this.options.print?.(`sensors ${parts.join(' ')}`);
  }

  snapshot(): StatusSnapshot {
    const now = this.options.clock.now();
    const p = this.pipeline;
    const streams: StreamView[] = p.streams.map((s, i) => {
      const ring = p.rings.rings[i]!;
      const v = ring.latest();
      const sc = p.scores[i]!;
      const lt = p.lastT[i]!;
      return {
        name: s.name,
        unit: s.unit,
        value: Number.isNaN(v) ? null : v,
        score: Number.isNaN(sc) ? null : sc,
        alerting: p.alerting[i] === 1,
        ageMs: Number.isNaN(lt) ? null : Math.max(0, now - lt),
        samples: ring.total,
        drops: ring.dropped,
      };
    });
    const ix = this.parts.intersection;
    const up = this.parts.uplink?.stats() ?? null;
    const rss = process.memoryUsage.rss() / 1048576;
    if (rss > this.peakRssMb) this.peakRssMb = rss;
    const inference = this.inferenceLatencies;
    this.inferenceLatencies = [];
    return {
      seq: this.seq++,
      at: performance.timeOrigin + performance.now(),
      site: this.options.site,
      board: this.options.board,
      uptimeS: (performance.now() - this.startedAt) / 1000,
      phases: ix?.view() ?? [],
      controller: ix?.describe() ?? {},
      monitor: ix?.monitor() ?? { healthy: true, tripped: false, reason: null },
      streams,
      stages: this.stages.map((s) => s.report(now)),
      faults: [...this.faults],
      counters: {
        samples: p.samples,
        alerts: p.alerts,
        phaseChanges: ix?.counters.phaseChanges ?? 0,
        monitorTrips: ix?.counters.monitorTrips ?? 0,
        rawBytes: p.rawBytes,
        uplinkedBytes: up?.uplinkedBytes ?? 0,
      },
      loopLagMs: this.loop.lag.drainRecent(),
      inference,
      i2cErrors: this.parts.sampler?.i2cErrors() ?? [],
      uplink: up ? { configured: up.configured, connected: up.connected, backlog: up.backlog } : null,
      threads: this.affinity?.threads ?? [],
      affinityWarnings: this.affinity?.warnings ?? [],
      rssMb: rss,
      missing: [...(this.options.missing ?? [])],
    };
  }

  publish(): void {
    this.statusThread?.publish(this.snapshot());
  }

  summary(): RunSummary {
    const rss = process.resourceUsage().maxRSS / 1024;
    const ix = this.parts.intersection;
    return {
      samples: this.pipeline.samples,
      alerts: this.pipeline.alerts,
      phase_changes: ix?.counters.phaseChanges ?? 0,
      monitor_trips: ix?.counters.monitorTrips ?? 0,
      raw_bytes: this.pipeline.rawBytes,
      uplinked_bytes: this.parts.uplink?.stats().uplinkedBytes ?? 0,
      peak_rss_mb: Math.round(Math.max(rss, this.peakRssMb) * 10) / 10,
    };
  }

  /**
   * A fatal error elsewhere in the process (an uncaught exception or unhandled rejection):
   * synchronously lamps to all-red flash through the flash transfer, the controller and the
   * monitor stopped, the fault written to the event log at once (synchronous append) and
   * handed to the uplink's outbox. The outputs are NOT released: the flasher keeps driving the
   * reds on its own timer until the process exits, and on a real cabinet the MMU, seeing the
   * controller's heartbeat stop, holds the intersection in flash until a technician resets it.
   * Returns false if this was already called (a second fatal error).
   */
  crash(reason: string): boolean {
    if (this.crashed) return false;
    this.crashed = true;
    const now = this.options.clock.now();
    this.parts.intersection?.safeState(reason);
    this.heartbeat.setSafeState(true);
    this.options.print?.(`stopping (${reason}): lamps to all-red flash`);
    this.emit('fault', now, 'crash', reason);
    this.flushEvents();
    return true;
  }

  /**
   * Everything queued goes to the event log, synchronously, and to the uplink. For the crash
   * path only: the log's periodic flush stops, later events are written by the next call.
   */
  flushEvents(): void {
    for (let e = this.alerts.shift(); e; e = this.alerts.shift()) this.deliver(e);
    for (let e = this.events.shift(); e; e = this.events.shift()) this.deliver(e);
    this.log?.closeSync();
  }

  /**
   * Shutdown: lamps to all-red flash first, then stop sampling and the simulation, flush the
   * event log and the uplink outbox while the lamps flash, then release the outputs.
   */
  stop(reason: string): Promise<RunSummary> {
    if (this.stopped) return this.stopped;
    this.stopped = (async () => {
      const ix = this.parts.intersection;
      ix?.safeState(reason);
      this.heartbeat.setSafeState(true);
      this.options.watchdog?.stopping?.();
      this.options.print?.(`stopping (${reason}): lamps to all-red flash`);
      this.parts.simulation?.stop();
      await this.parts.sampler?.stop();
      // Keep ticking (the flash runs on the control loop) while logs and outbox flush.
      // No samples from here on, and none left unprocessed: the summary's totals agree.
      this.pipeline.close();
      this.pipeline.drain();
      this.step(this.options.clock.now());
      this.emit('info', this.options.clock.now(), 'runtime', `stopping: ${reason}`);
      for (let e = this.alerts.shift(); e; e = this.alerts.shift()) this.deliver(e);
      for (let e = this.events.shift(); e; e = this.events.shift()) this.deliver(e);
      if (this.parts.uplink) await this.parts.uplink.close(3000);
      if (this.log) {
        await this.log.flush();
        this.log.closeSync();
      }
      this.publish();
      clearInterval(this.publishTimer);
      clearInterval(this.printTimer);
      const summary = this.summary();
      this.loop.stop();
      ix?.close();
      this.options.print?.('outputs released');
      for (const w of this.parts.workers ?? []) await w.client.terminate();
      await this.statusThread?.close();
      return summary;
    })();
    return this.stopped;
  }
}

function fmt(v: number): string {
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
}

function fmtList(cpus: readonly number[]): string {
  return cpus.join(',');
}
