import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Health } from '../runtime/heartbeat.js';
import { INDICATION_CODE, type StatusSnapshot } from './snapshot.js';

/**
 * Prometheus metrics, kept on the status thread and fed from snapshots. Counters the control
 * thread keeps as totals are turned into increments here, so restarts of the status thread
 * (never happens in practice) could not make them go backwards.
 */
export class StatusMetrics {
  readonly registry = new Registry();
  private readonly loopLag = new Histogram({
    name: 'wayside_control_loop_lag_seconds',
    help: 'How late each control loop tick fired',
    buckets: [0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  private readonly indication = new Gauge({
    name: 'wayside_phase_indication',
    help: 'Signal indication per phase: 0 dark, 1 red, 2 yellow, 3 green, 4 flashing red, 5 flashing yellow',
    labelNames: ['phase'],
    registers: [this.registry],
  });
  private readonly score = new Gauge({ name: 'wayside_detector_score', help: 'Latest anomaly score per stream (0-1)', labelNames: ['stream'], registers: [this.registry] });
  private readonly value = new Gauge({ name: 'wayside_sensor_value', help: 'Latest sensor value per stream', labelNames: ['stream', 'unit'], registers: [this.registry] });
  private readonly staleness = new Gauge({ name: 'wayside_sensor_staleness_seconds', help: 'Time since the last sample per stream', labelNames: ['stream'], registers: [this.registry] });
  private readonly i2cErrors = new Counter({ name: 'wayside_i2c_errors_total', help: 'I2C errors by bus and kind', labelNames: ['bus', 'kind'], registers: [this.registry] });
  private readonly depth = new Gauge({ name: 'wayside_queue_depth', help: 'Items waiting at a stage boundary', labelNames: ['stage', 'policy'], registers: [this.registry] });
  private readonly qlag = new Gauge({ name: 'wayside_queue_lag_seconds', help: 'Age of the oldest item waiting at a stage boundary', labelNames: ['stage'], registers: [this.registry] });
  private readonly dropped = new Counter({ name: 'wayside_queue_dropped_total', help: 'Items dropped (drop-oldest policy)', labelNames: ['stage'], registers: [this.registry] });
  private readonly spilled = new Counter({ name: 'wayside_queue_spilled_total', help: 'Items spilled to the durable outbox (never-drop policy)', labelNames: ['stage'], registers: [this.registry] });
  private readonly backlog = new Gauge({ name: 'wayside_uplink_backlog', help: 'Messages waiting in the uplink outbox', registers: [this.registry] });
  private readonly rss = new Gauge({ name: 'wayside_rss_bytes', help: 'Resident set size of the runtime process', registers: [this.registry] });
  private readonly inference = new Histogram({
    name: 'wayside_inference_latency_seconds',
    help: 'Model execution time per model (on the inference worker)',
    labelNames: ['model'],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
    registers: [this.registry],
  });
  private readonly totals = new Counter({ name: 'wayside_events_total', help: 'Runtime totals: samples, alerts, phase changes, monitor trips', labelNames: ['kind'], registers: [this.registry] });
  private readonly bytes = new Counter({ name: 'wayside_bytes_total', help: 'Raw sample bytes and bytes sent by the uplink', labelNames: ['kind'], registers: [this.registry] });
  private readonly healthy = new Gauge({ name: 'wayside_healthy', help: '1 while /healthz answers 200', registers: [this.registry] });
  private readonly monitor = new Gauge({ name: 'wayside_monitor_healthy', help: '1 while the conflict monitor is healthy', registers: [this.registry] });
  private readonly thread = new Gauge({ name: 'wayside_thread_affinity_info', help: 'Effective CPU affinity per thread', labelNames: ['tid', 'name', 'role', 'cpus'], registers: [this.registry] });
  private last = new Map<string, number>();

  constructor() {
    // The default metrics' event-loop lag is the status thread's own (the control loop's lag is
    // wayside_control_loop_lag_seconds): sampled every 100 ms instead of prom-client's 10 ms,
    // which woke this thread 100 times a second for a figure nobody acts on.
    collectDefaultMetrics({ register: this.registry, prefix: 'wayside_', eventLoopMonitoringPrecision: 100 });
  }

  update(s: StatusSnapshot, health: Health): void {
    for (const ms of s.loopLagMs) this.loopLag.observe(ms / 1000);
    for (const i of s.inference) this.inference.observe({ model: i.model }, i.ms / 1000);
    for (const p of s.phases) this.indication.set({ phase: String(p.phase) }, INDICATION_CODE[p.indication]);
    for (const st of s.streams) {
      if (st.score !== null) this.score.set({ stream: st.name }, st.score);
      if (st.value !== null) this.value.set({ stream: st.name, unit: st.unit }, st.value);
      if (st.ageMs !== null) this.staleness.set({ stream: st.name }, st.ageMs / 1000);
    }
    for (const e of s.i2cErrors) this.incTo(`i2c:${e.bus}:${e.kind}`, e.count, (d) => this.i2cErrors.inc({ bus: e.bus, kind: e.kind }, d));
    for (const q of s.stages) {
      this.depth.set({ stage: q.name, policy: q.policy }, q.depth);
      this.qlag.set({ stage: q.name }, q.lagMs / 1000);
      this.incTo(`drop:${q.name}`, q.dropped, (d) => this.dropped.inc({ stage: q.name }, d));
      this.incTo(`spill:${q.name}`, q.spilled, (d) => this.spilled.inc({ stage: q.name }, d));
    }
    this.backlog.set(s.uplink?.backlog ?? 0);
    this.rss.set(s.rssMb * 1024 * 1024);
    const c = s.counters;
    this.incTo('samples', c.samples, (d) => this.totals.inc({ kind: 'samples' }, d));
    this.incTo('alerts', c.alerts, (d) => this.totals.inc({ kind: 'alerts' }, d));
    this.incTo('phase_changes', c.phaseChanges, (d) => this.totals.inc({ kind: 'phase_changes' }, d));
    this.incTo('monitor_trips', c.monitorTrips, (d) => this.totals.inc({ kind: 'monitor_trips' }, d));
    this.incTo('raw', c.rawBytes, (d) => this.bytes.inc({ kind: 'raw' }, d));
    this.incTo('uplinked', c.uplinkedBytes, (d) => this.bytes.inc({ kind: 'uplinked' }, d));
    this.monitor.set(s.monitor.healthy ? 1 : 0);
    this.thread.reset();
    for (const t of s.threads) this.thread.set({ tid: String(t.tid), name: t.name, role: t.role, cpus: t.effective }, 1);
    this.setHealth(health);
  }

  setHealth(health: Health): void {
    this.healthy.set(health.ok ? 1 : 0);
  }

  private incTo(key: string, total: number, inc: (d: number) => void): void {
    const prev = this.last.get(key);
    // The first sight of a series exports it at its value (0 included), so it exists from the start.
    if (prev === undefined) inc(Math.max(0, total));
    else if (total > prev) inc(total - prev);
    this.last.set(key, total);
  }
}
