import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getBoard } from '../../boards/index.js';
import { startCabinet, stopCabinet, type Cabinet } from '../../firmware/runtime/cabinet.js';
import { loadSite } from '../../firmware/site/load.js';
import { sendCommand } from '../../firmware/uplink/command-sender.js';
import { readKeyRing, writeNewKeyFile } from '../../firmware/uplink/key-file.js';
import type { MultiFernet } from '../../firmware/uplink/fernet.js';
import { uplinkSection } from '../../firmware/site/sections/uplink.js';
import type { TelemetryMessage } from '../../firmware/uplink/messages.js';
import { topicOf } from '../../firmware/uplink/topics.js';
import mqtt from 'mqtt';
import { Mosquitto } from '../helpers/mosquitto.js';

/**
 * Remote commands end to end on the running cabinet: a real Mosquitto, the sim-board runtime
 * with its uplink thread (`--mqtt URL --key FILE`, a temporary outbox), and the operator's
 * `sendCommand`. Each command crosses broker → uplink thread (checks) → control thread
 * (execution) → uplink thread → outbox → broker → operator.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('remote commands on the running cabinet (real Mosquitto)', () => {
  let broker: Mosquitto;
  let dir: string;
  let ring: MultiFernet;
  let cab: Cabinet;
  let site: Awaited<ReturnType<typeof loadSite>>;
  const send = (cmd: string, args: Record<string, unknown> = {}) => sendCommand({ broker: broker.url, ring, device: site.id, cmd, args, timeoutMs: 15_000 });

  before(async () => {
    broker = await Mosquitto.start({ persistence: false });
    dir = await mkdtemp(join(tmpdir(), 'wayside-runtime-cmd-'));
    const keyFile = join(dir, 'fleet.key');
    await writeNewKeyFile(keyFile);
    ring = await readKeyRing([keyFile]);
    const loaded = await loadSite(join(ROOT, 'firmware/sites/demo.yaml'));
    site = {
      ...loaded,
      controller: { ...(loaded.controller ?? {}), startup_flash_s: 1, startup_red_s: 1 },
      // A telemetry summary every second (the broker and key come from the --mqtt/--key overrides).
      uplink: uplinkSection.parse({ broker: broker.url, telemetry_interval_s: 1 }),
    } as typeof loaded;
    cab = await startCabinet({
      site,
      siteFile: join(ROOT, 'firmware/sites/demo.yaml'),
      board: getBoard('sim')!,
      status: null,
      inference: false,
      eventLog: join(dir, 'events.jsonl'),
      mqtt: broker.url,
      key: keyFile,
      outbox: join(dir, 'outbox.sqlite'),
    });
    // The uplink thread connects in the background.
    for (let i = 0; i < 100 && !cab.runtime.parts.uplink!.stats().connected; i++) await wait(100);
    assert.ok(cab.runtime.parts.uplink!.stats().connected, 'the uplink connected to the broker');
  });

  after(async () => {
    if (cab) await stopCabinet(cab, 'test over');
    await broker?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('get-state: an ok ack with the phases, the monitor and sensor health', async () => {
    const ack = await send('get-state');
    assert.equal(ack.ok, true, ack.error);
    const r = ack.result as { phases: { phase: number; indication: string }[]; monitor: { tripped: boolean }; sensors: { name: string; stale: boolean }[]; controller: { strategy: string } };
    assert.deepEqual(
      r.phases.map((p) => p.phase),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    for (const p of r.phases) assert.match(p.indication, /^(red|yellow|green|dark|flash-red)$/);
    // (Not asserted false: on a starved CI machine a stalled control thread trips the heartbeat watch, as it should.)
    assert.equal(typeof r.monitor.tripped, 'boolean');
    assert.ok(r.sensors.some((s) => s.name === 'lamps-2.current_a'), 'sensor health listed');
    assert.equal(r.controller.strategy, 'actuated');
  });

  it('set-plan: a bad plan is refused naming the field, a good one is applied', async () => {
    const bad = await send('set-plan', { plan: JSON.stringify({ defaults: { yellow_s: 1 } }) });
    assert.equal(bad.ok, false);
    assert.match(bad.error ?? '', /plan\.defaults\.yellow_s/);
    const fixed = await send('set-plan', { plan: JSON.stringify({ rings: [[1, 2]] }) });
    assert.equal(fixed.ok, false);
    assert.match(fixed.error ?? '', /plan\.rings: cannot change at run time/);
    const unknownPattern = await send('set-plan', { plan: 7 });
    assert.equal(unknownPattern.ok, false);
    assert.match(unknownPattern.error ?? '', /pattern 7 is not defined/);
    assert.equal(cab.intersection.traffic.controller.engine.strategyType, 'actuated', 'refused plans changed nothing');

    const good = await send('set-plan', { plan: JSON.stringify({ strategy: 'max-pressure', defaults: { max_green_s: 35 } }) });
    assert.equal(good.ok, true, good.error);
    assert.deepEqual(good.result, { strategy: 'max-pressure', pattern: 1 });
    assert.equal(cab.intersection.traffic.controller.engine.strategyType, 'max-pressure');
    assert.equal(cab.intersection.traffic.controller.engine.currentPlan.timing[2]!.maxGreenMs, 35_000);
    const back = await send('set-plan', { plan: 1 });
    assert.equal(back.ok, true, back.error);
    assert.equal(cab.intersection.traffic.controller.engine.strategyType, 'actuated', 'pattern 1 is the site file plan again');

    // The plan as a JSON object rather than its text (what `send-command set-plan plan={…}` sends).
    const asObject = await send('set-plan', { plan: { strategy: 'max-pressure', defaults: { max_green_s: 40 } } });
    assert.equal(asObject.ok, true, asObject.error);
    assert.equal(cab.intersection.traffic.controller.engine.currentPlan.timing[2]!.maxGreenMs, 40_000);
    const badObject = await send('set-plan', { plan: { monitor: {} } });
    assert.equal(badObject.ok, false);
    assert.match(badObject.error ?? '', /plan\.monitor: cannot change at run time/);
    assert.equal((await send('set-plan', { plan: 1 })).ok, true);
  });

  it('an unknown command is rejected and never executed', async () => {
    const ack = await send('open-all-greens');
    assert.equal(ack.ok, false);
    assert.match(ack.error ?? '', /not-allowed|allow|unknown/i);
  });

  it('retrain: an unknown stream is refused naming it; a known one refits on the jobs thread', async () => {
    const bad = await send('retrain', { stream: 'no.such' });
    assert.equal(bad.ok, false);
    assert.match(bad.error ?? '', /stream: no stream "no\.such"/);
    // Enough history for a refit (at least 32 samples at 10 Hz).
    for (let i = 0; i < 50 && cab.runtime.pipeline.rings.rings[cab.runtime.pipeline.indexOf('lamps-2.current_a')]!.length < 40; i++) await wait(100);
    const ok = await send('retrain', { stream: 'lamps-2.current_a' });
    assert.equal(ok.ok, true, ok.error);
    const refit = (ok.result as { refit: { stream: string; threshold: number }[] }).refit;
    assert.deepEqual(
      refit.map((r) => r.stream),
      ['lamps-2.current_a'],
    );
    const i = cab.runtime.pipeline.indexOf('lamps-2.current_a');
    assert.equal(Math.round(cab.runtime.pipeline.thresholds[i]! * 1000) / 1000, refit[0]!.threshold, 'the new threshold is in use');
  });

  it('telemetry summaries carry each stream\'s highest anomaly score', async () => {
    const client = await mqtt.connectAsync(broker.url, { clientId: 'telemetry-reader' });
    try {
      const names = ['lamps-2.current_a', 'pole.vibration_rms_g', 'cabinet.temperature_c'];
      const got = new Promise<TelemetryMessage>((resolve) => {
        client.on('message', (_t, payload) => {
          const m = JSON.parse(ring.decrypt(payload.toString()).toString()) as TelemetryMessage;
          // The first summaries may miss a score (detector warm-up, a score not yet taken): wait for a full one.
          if (names.every((n) => typeof m.streams[n]?.max_score === 'number')) resolve(m);
        });
      });
      await client.subscribeAsync(topicOf(site.id, 'telemetry'), { qos: 1 });
      const m: TelemetryMessage | null = await Promise.race([got, wait(10_000).then(() => null)]);
      if (!m) client.removeAllListeners('message');
      assert.ok(m, 'a telemetry summary with a score for each stream arrived within 10 s');
      for (const name of names) {
        const st: TelemetryMessage['streams'][string] | undefined = m.streams[name];
        assert.ok(st, `${name} summarised`);
        assert.equal(typeof st.max_score, 'number', `${name}: max_score ${st.max_score}`);
        assert.ok(Number.isFinite(st.max_score!) && st.max_score! >= 0);
      }
    } finally {
      await client.endAsync(true);
    }
  });

  it('reset-monitor: refused while stuck greens are present, cleared once it is gone', async () => {
    const gpio = cab.simBoard!.gpio;
    // Greens of 2 and 4 (across the barrier: they conflict), whichever the controller shows now.
    const stuck = [site.lamps.phases['2']!.green, site.lamps.phases['4']!.green];
    // Not latched (or latched by a heartbeat lost to CPU starvation, gone now): cleared.
    const idle = await send('reset-monitor');
    assert.equal(idle.ok, true, idle.error);
    assert.equal(cab.intersection.monitor().tripped, false);

    for (const pin of stuck) gpio.forceOutput(pin, 1); // welded relays: lit whatever the controller writes
    for (let i = 0; i < 50 && !cab.intersection.monitor().tripped; i++) await wait(50);
    assert.equal(cab.intersection.monitor().tripped, true, 'the monitor tripped on the stuck greens');

    const refused = await send('reset-monitor');
    assert.equal(refused.ok, false);
    assert.match(refused.error ?? '', /refused/);
    assert.equal((refused.result as { cleared: boolean }).cleared, false);
    assert.ok((refused.result as { reason?: string }).reason, 'the reason is given');
    assert.equal(cab.intersection.monitor().tripped, true, 'still latched');
    const state = (await send('get-state')).result as { monitor: { tripped: boolean; reason: string }; phases: { indication: string }[]; faults: { source: string }[] };
    assert.equal(state.monitor.tripped, true);
    assert.ok(state.phases.every((p) => p.indication === 'flash-red'));
    assert.ok(state.faults.some((f) => f.source === 'monitor'), 'the trip is in the fault list');

    for (const pin of stuck) gpio.forceOutput(pin, null); // repaired
    await wait(300);
    const cleared = await send('reset-monitor');
    assert.equal(cleared.ok, true, cleared.error);
    assert.deepEqual(cleared.result, { cleared: true });
    assert.equal(cab.intersection.monitor().tripped, false);
    assert.equal(cab.intersection.monitorHealthy(), true);
  });
});

describe('wayside run --mqtt URL --key FILE --outbox FILE answers commands', () => {
  it('get-state through the CLI process: an ok ack with the phases; SIGTERM still exits 0', async () => {
    const broker = await Mosquitto.start({ persistence: false });
    const dir = await mkdtemp(join(tmpdir(), 'wayside-run-cmd-'));
    const keyFile = join(dir, 'fleet.key');
    await writeNewKeyFile(keyFile);
    const ring = await readKeyRing([keyFile]);
    const outbox = join(dir, 'outbox.sqlite');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'firmware/cli/main.ts', 'run', '--board', 'sim', '--site', 'firmware/sites/demo.yaml', '--status', '127.0.0.1:0', '--mqtt', broker.url, '--key', keyFile, '--outbox', outbox],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      for (let i = 0; i < 600 && !/Ctrl-C to stop/.test(out) && child.exitCode === null; i++) await wait(100);
      assert.match(out, /uplink: on/);
      const ack = await sendCommand({ broker: broker.url, ring, device: 'demo-001', cmd: 'get-state', timeoutMs: 20_000 });
      assert.equal(ack.ok, true, ack.error);
      assert.equal((ack.result as { phases: unknown[] }).phases.length, 8);
      const code = new Promise<number | null>((r) => child.once('exit', r));
      child.kill('SIGTERM');
      assert.equal(await code, 0, out.slice(-1500));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await broker.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
