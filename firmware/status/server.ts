import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { absoluteNowMs, evaluateHealth, type HeartbeatState } from '../runtime/heartbeat.js';
import { findAssetDir } from '../runtime/asset-dir.js';
import type { StatusMetrics } from './metrics.js';
import type { StatusSnapshot } from './snapshot.js';

export interface StatusServerOptions {
  readonly heartbeat: () => HeartbeatState;
  /** A tick older than this makes /healthz 503. */
  readonly staleMs: number;
  readonly metrics: StatusMetrics;
  readonly latest: () => StatusSnapshot | null;
  /** Subscribes an SSE client to new snapshots; returns the unsubscribe. */
  readonly subscribe: (fn: (s: StatusSnapshot) => void) => () => void;
  /** Frames a slow SSE client may have buffered before frames are skipped for it. */
  readonly sseMaxBufferedBytes?: number;
}

const here = dirname(fileURLToPath(import.meta.url));
// In dist/ only the .js files are compiled: take the dashboard files from the source tree.
const dashboard = (): string => findAssetDir(here, 'firmware/status/dashboard', 'index.html');
const require = createRequire(import.meta.url);
const STATIC: Record<string, { file: () => string; type: string }> = {
  '/': { file: () => join(dashboard(), 'index.html'), type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: () => join(dashboard(), 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  '/dashboard.css': { file: () => join(dashboard(), 'dashboard.css'), type: 'text/css; charset=utf-8' },
  '/vendor/uplot/uPlot.iife.min.js': { file: () => join(uplotDist(), 'uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/vendor/uplot/uPlot.min.css': { file: () => join(uplotDist(), 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

function uplotDist(): string {
  // uplot's exports map hides package.json; resolve its main entry and take the dist folder.
  return dirname(require.resolve('uplot'));
}

/**
 * The status HTTP server. It runs on its own worker thread (status-worker.ts): `/healthz` reads
 * the heartbeat from shared memory, so it answers 503 while the control thread is stuck instead
 * of not answering at all.
 */
export async function buildStatusServer(o: StatusServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  const files = new Map<string, Buffer>();
  for (const [path, f] of Object.entries(STATIC)) files.set(path, await readFile(f.file()));

  for (const [path, f] of Object.entries(STATIC)) {
    app.get(path, async (_req, reply) => reply.type(f.type).header('cache-control', 'no-cache').send(files.get(path)));
  }

  app.get('/healthz', async (_req, reply) => {
    const h = evaluateHealth(o.heartbeat(), absoluteNowMs(), o.staleMs);
    o.metrics.setHealth(h);
    return reply.code(h.ok ? 200 : 503).send({ ok: h.ok, reasons: h.reasons, since_tick_ms: Number.isFinite(h.sinceTickMs) ? Math.round(h.sinceTickMs) : null });
  });

  app.get('/metrics', async (_req, reply) => {
    const body = await o.metrics.registry.metrics();
    return reply.type(o.metrics.registry.contentType).send(body);
  });

  app.get('/api/state', async (_req, reply) => {
    const s = o.latest();
    const hb = o.heartbeat();
    const health = evaluateHealth(hb, absoluteNowMs(), o.staleMs);
    if (!s) return reply.code(503).send({ error: 'no state yet', health });
    return reply.send({ ...s, health, stale: !health.ok && health.sinceTickMs > o.staleMs });
  });

  // Server-sent events: one JSON snapshot per frame. A client that cannot keep up has frames
  // skipped (drop-oldest in effect), never buffered without bound.
  app.get('/api/stream', (req, reply) => {
    const max = o.sseMaxBufferedBytes ?? 256 * 1024;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    const send = (s: StatusSnapshot): void => {
      if (res.writableLength > max) return;
      res.write(`data: ${JSON.stringify(s)}\n\n`);
    };
    const first = o.latest();
    if (first) send(first);
    const unsubscribe = o.subscribe(send);
    req.raw.on('close', unsubscribe);
  });

  return app;
}
