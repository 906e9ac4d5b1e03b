import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findAssetDir } from './asset-dir.js';
import { dirname, join } from 'node:path';
import { SystemClock, type Clock } from '../../drivers/hal/clock.js';
import { openBackends, type OpenedBackends } from '../../drivers/backends/index.js';
import type { SimBoard } from '../../drivers/backends/sim/index.js';
import type { BoardProfile } from '../../boards/types.js';
import type { Site } from '../site/schema.js';
import { inBlocks } from '../anomaly/block-mean.js';
import { streamDetection, type StreamDetection } from './detection-plan.js';
import { jobsSection } from '../site/sections/jobs.js';
import { statusSection } from '../site/sections/status.js';
import { CABINET_MODEL_STREAM, CabinetModel, cabinetColumns } from './cabinet-model.js';
import { startInference } from './inference.js';
import { Intersection } from './intersection-part.js';
import { startJobs } from './jobs.js';
import { buildUplinkOptions, type UplinkOverrides } from '../uplink/options.js';
import { resolveOutboxPath } from './outbox-path.js';
import { Runtime, type RuntimeOptions, type RuntimeParts } from './runtime.js';
import { RuntimeCommands } from './runtime-commands.js';
import { ChipSampler } from './sampler-part.js';
import type { StreamSpec } from './sensor-pipeline.js';
import { SimCabinet, type SimCabinetOptions } from './sim-cabinet.js';
import { UplinkThread } from './uplink-part.js';
import { defaultEventLogPath } from './event-log-path.js';
import { busLoadWarnings } from '../site/bus-load.js';
import { AtspmFileLog } from '../traffic/atspm-log.js';
import type { WorkerClient } from './worker-client.js';
import type { ThreadRole } from './affinity.js';

/**
 * Builds the whole cabinet from a site file and a board profile: backends, lamps and loops,
 * sensors, detectors, the simulated world on the sim board, the worker threads, the uplink.
 * `wayside run`, the tests and the bench all start the runtime through here.
 */
export interface CabinetOptions {
  readonly site: Site;
  readonly siteFile: string;
  readonly board: BoardProfile;
  readonly clock?: Clock;
  /** null: no status server. Default from the site's status section. */
  readonly status?: { host: string; port: number } | null;
  readonly affinity?: string;
  readonly mqtt?: string;
  readonly key?: string;
  /** Uplink outbox file (see outbox-path.ts for the default). */
  readonly outbox?: string;
  /** Load the shipped Isolation Forest on the inference thread (default true). */
  readonly inference?: boolean;
  readonly jobs?: boolean;
  readonly sim?: SimCabinetOptions;
  readonly print?: ((line: string) => void) | null;
  readonly watchdog?: { ready(): void; pet(): void; stopping?(): void };
  readonly eventLog?: string | null;
  /** Overrides of the status section (tests: a short stale limit). */
  readonly statusOverrides?: Partial<{ stale_ms: number; publish_hz: number; tick_ms: number }>;
}

export interface Cabinet {
  readonly runtime: Runtime;
  readonly backends: OpenedBackends;
  readonly intersection: Intersection;
  readonly sim: SimCabinet | null;
  readonly simBoard: SimBoard | null;
  readonly missing: string[];
  readonly cabinetModel: CabinetModel | null;
  readonly stopExtras: () => void;
  /** Flushes and closes the ATSPM log; after the runtime's stop, so the final flash is in it. */
  readonly closeLogs: () => void;
}

/**
 * A detector per stream, as the site's `detection` section plans it (detection-plan.ts). The
 * cabinet model's stream carries the model's score itself and alerts at 0.75. Each stream's
 * plan is kept in `plans`, so the refit job replays exactly what the runtime built.
 */
function detectorsFor(site: Site, registry: Registry, plans: Map<string, StreamDetection | null>): RuntimeOptions['detectorFor'] {
  return (name, rateHz) => {
    const plan = streamDetection(site, name, rateHz, registry);
    plans.set(name, plan);
    if (name === CABINET_MODEL_STREAM) return { detector: { update: (_t: number, v: number) => v }, threshold: 0.75 };
    if (!plan) return { detector: null, threshold: 1 };
    let detector;
    try {
      detector = registry.createDetector(plan.detector, plan.params);
    } catch (err) {
      throw new RangeError(`detection of ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return { detector: inBlocks(detector, plan.block), threshold: plan.threshold };
  };
}

type Registry = typeof import('../anomaly/registry.js');

export async function startCabinet(o: CabinetOptions): Promise<Cabinet> {
  const site = o.site;
  const clock = o.clock ?? new SystemClock();
  const status = statusSection.parse({ ...(site.status ?? {}), ...(o.statusOverrides ?? {}) });
  const jobs = site.jobs ?? jobsSection.parse({});
  const missing: string[] = [];
  // The uplink's configuration first, before anything is opened or spawned: a missing key, an
  // unreadable TLS file or an unwritable outbox is a clear error (UplinkConfigError, OutboxPathError).
  let uplink: { siteDir: string; overrides: UplinkOverrides } | null = null;
  if (site.uplink || o.mqtt) {
    const siteDir = dirname(o.siteFile);
    const overrides = { ...(o.mqtt ? { mqtt: o.mqtt } : {}), ...(o.key ? { key: o.key } : {}), outboxPath: resolveOutboxPath(site, siteDir, o.outbox) };
    await buildUplinkOptions(site, overrides, siteDir);
    uplink = { siteDir, overrides };
  }
  // A bus asked for more than it can do runs slower than the site says: say so at start.
  for (const w of busLoadWarnings(site.sensors)) o.print?.(`warning: ${w}`);
  const names = { gpio: site.backend.gpio ?? o.board.gpioBackend, i2c: site.backend.i2c ?? o.board.i2cBackend };
  const backends = await openBackends(names, { clock, ...(site.firmata ? { firmata: { port: site.firmata.port } } : {}) });
  const simBoard = (backends.extras.board as SimBoard | undefined) ?? null;
  const pinRef = (pin: number) => {
    const h = o.board.header.find((p) => p.pin === pin);
    return { pin, ...(h?.chip ? { chip: h.chip } : {}), ...(h?.line !== undefined ? { line: h.line } : {}) };
  };

  const intersection = new Intersection(site, backends.gpio, clock, pinRef);
  const sim = simBoard ? new SimCabinet(simBoard, site, clock, o.sim) : null;
  const sampler = await ChipSampler.open(site.sensors, backends.i2c, clock);

  const workers: { client: WorkerClient; role: ThreadRole }[] = [];
  const loopStreams: StreamSpec[] = intersection.loops.map((l) => ({ name: `${l.name}.occupancy`, unit: '', rateHz: 1, source: l.name }));
  let inference: WorkerClient | null = null;
  const extraStreams: StreamSpec[] = [...loopStreams];
  const cols = cabinetColumns(sampler.streams.map((s) => s.name));
  if (o.inference !== false) {
    if (cols) {
      inference = startInference({ models: ['iforest-cabinet'], modelsDir: findAssetDir(dirname(fileURLToPath(import.meta.url)), 'models', 'manifest.json') });
      workers.push({ client: inference, role: 'inference' });
      extraStreams.push({ name: CABINET_MODEL_STREAM, unit: '', rateHz: 1, source: 'iforest-cabinet' });
    } else missing.push('cabinet model: the site lacks a temperature, humidity, bus voltage, current or vibration stream');
  }

  const eventLog = o.eventLog !== undefined ? o.eventLog : (status.event_log ?? defaultEventLogPath(site.id));
  const registry: Registry = await import('../anomaly/registry.js');
  const plans = new Map<string, StreamDetection | null>();
  const detectorFor = detectorsFor(site, registry, plans);

  const runtimeOptions = {
    site: site.id,
    board: o.board.id,
    clock,
    tickMs: status.tick_ms,
    historyS: status.history_s,
    status: o.status === null ? null : { host: o.status?.host ?? status.host, port: o.status?.port ?? status.port, staleMs: status.stale_ms, publishHz: status.publish_hz },
    eventLog,
    affinity: { mode: o.affinity ?? status.affinity, profile: o.board.affinity, realtime: status.realtime },
    detectorFor,
    print: o.print ?? null,
    ...(o.watchdog ? { watchdog: o.watchdog } : {}),
    missing,
  };

  // The pipeline (and its shared rings) must exist before the jobs and uplink threads attach to them.
  const parts: RuntimeParts = { intersection, sampler, simulation: sim, uplink: null, extraStreams, workers };
  const runtime = new Runtime(runtimeOptions, parts);
  const shared = runtime.pipeline.streams.map((s, i) => ({ name: s.name, unit: s.unit, ring: runtime.pipeline.rings.rings[i]!.shared }));

  if (o.jobs !== false) {
    const client = startJobs({
      jobs,
      streams: shared.map((s) => ({ ...s, detection: plans.get(s.name) ?? null })),
      lamps: Object.entries(site.lamps.phases)
        .filter(([, h]) => h.current_sensor)
        .map(([p, h]) => ({ phase: Number(p), currentStream: `${h.current_sensor}.current_a` })),
      indications: runtime.indications.buffer as SharedArrayBuffer,
      eventLog,
      detectorModule: new URL(`../anomaly/registry${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href,
    });
    workers.push({ client, role: 'system' });
  }
  if (uplink) {
    const { siteDir, overrides } = uplink;
    const up = UplinkThread.start({
      site,
      overrides,
      siteDir,
      streams: shared.map((s) => ({ name: s.name, ring: s.ring })),
      scores: runtime.pipeline.maxScores.buffer as SharedArrayBuffer,
    });
    workers.push({ client: up.client, role: 'system' });
    (parts as { uplink: UplinkThread | null }).uplink = up;
  }

  // A thread that fails to start is reported by runtime.start (which awaits each), not as an unhandled rejection.
  for (const w of workers) w.client.ready.catch(() => undefined);
  runtime.commands = new RuntimeCommands({
    runtime,
    intersection,
    sitePlan: intersection.traffic.resolved.section,
    jobs: workers.find((w) => w.client.name === 'jobs')?.client ?? null,
  });
  // The Indiana hi-res controller log (ATSPM), beside the event log, in rotating files that
  // ATSPM tools read. Wall time is used only to stamp the records.
  let atspm: AtspmFileLog | null = null;
  if (eventLog) {
    mkdirSync(dirname(eventLog), { recursive: true });
    const log = new AtspmFileLog({ path: join(dirname(eventLog), 'atspm.csv'), signalId: site.id, startWallMs: Date.now() - clock.now() });
    intersection.traffic.onAtspm((t, code, param) => log.record(t, code, param));
    atspm = log;
  }
  const atspmTimer = atspm ? clock.setInterval(() => atspm!.flush(), 1000) : undefined;
  await runtime.start();
  intersection.start();
  // Loop occupancy (fraction of each second occupied) as streams with a detector each.
  const loopBase = runtime.pipeline.streams.findIndex((s) => s.name === loopStreams[0]?.name);
  const occTimer = loopStreams.length
    ? clock.setInterval(() => {
        const t = clock.now();
        intersection.loops.forEach((l, i) => runtime.pipeline.offer(loopBase + i, t, l.loop.intervalStats().occupancy));
      }, 1000)
    : undefined;
  let cabinetModel: CabinetModel | null = null;
  if (inference && cols) {
    cabinetModel = new CabinetModel(inference, runtime.pipeline, cols, () => clock.now());
    cabinetModel.start(1000);
  }
  return { runtime, backends, intersection, sim, simBoard, missing, cabinetModel, stopExtras: () => clock.clearTimer(occTimer),
    closeLogs: () => {
      clock.clearTimer(atspmTimer);
      atspm?.close();
    },
  };
}

/** Stops the runtime (flash, flush, release) and closes the backends. */
export async function stopCabinet(c: Cabinet, reason: string) {
  c.cabinetModel?.stop();
  c.stopExtras();
  const summary = await c.runtime.stop(reason);
  c.closeLogs();
  await c.backends.close();
  return summary;
}
