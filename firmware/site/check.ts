import { BOARD_IDS, getBoard } from '../../boards/index.js';
import type { BoardProfile } from '../../boards/types.js';
import { GPIO_BACKEND_NAMES, I2C_BACKEND_NAMES } from '../../drivers/backends/index.js';
import { ChipOptionsError, chipChannels } from '../../drivers/chips/index.js';
import { createDetector, DEFAULT_DETECTOR, detectorNames } from '../anomaly/registry.js';
import { streamedChannels } from '../runtime/stream-channels.js';
import type { SiteProblem } from './load.js';
import { loopNames } from './loop-names.js';
import { detectorInput, lampHead, sensorSpec, siteSchema, type Site } from './schema.js';
import { entryMatches, streamDetector } from './sections/detection.js';

/**
 * Board-aware validation of a site file that already passed the schema: everything zod
 * cannot see because it needs the board's header map or a view across sections. Pure; the
 * CLI (`wayside check`) and the runtime at start-up both call checkSite and refuse to drive
 * lamps while it returns anything.
 */
export type SiteProblemCode =
  | 'schema'
  | 'unknown-board'
  | 'unknown-backend'
  | 'pin-twice'
  | 'pin-not-gpio'
  | 'pin-not-on-header'
  | 'i2c-address-clash'
  | 'i2c-bus-missing'
  | 'sensor-name-twice'
  | 'current-sensor'
  | 'chip-options'
  | 'detector'
  | 'detection-stream';

export interface CheckProblem extends SiteProblem {
  code: SiteProblemCode;
}

/** A site pin and where the site file uses it (`lamps.phases.2.green`). */
interface PinUse {
  path: string;
  pin: number;
}

function pinUses(site: Site): PinUse[] {
  const uses: PinUse[] = [];
  const phases = Object.entries(site.lamps.phases).sort(([a], [b]) => Number(a) - Number(b));
  for (const [phase, head] of phases) {
    for (const colour of ['red', 'yellow', 'green', 'walk', 'dont_walk'] as const) {
      const pin = head[colour];
      if (pin !== undefined) uses.push({ path: `lamps.phases.${phase}.${colour}`, pin });
    }
  }
  site.detectors.forEach((d, i) => uses.push({ path: `detectors.${i}.pin`, pin: d.pin }));
  return uses;
}

function hex(addr: number): string {
  return '0x' + addr.toString(16).padStart(2, '0');
}

/**
 * Every problem of `site` on `board`. `board` null means the board is not known yet
 * (`board: auto` without a board to check against): header and bus checks are skipped,
 * the cross-section checks still run.
 */
export function checkSite(site: Site, board: BoardProfile | null): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const add = (path: string, code: SiteProblemCode, message: string) => problems.push({ path, code, message });

  if (site.backend.gpio !== undefined && !GPIO_BACKEND_NAMES.includes(site.backend.gpio)) {
    add('backend.gpio', 'unknown-backend', `unknown GPIO backend "${site.backend.gpio}"; valid: ${GPIO_BACKEND_NAMES.join(', ')}`);
  }
  if (site.backend.i2c !== undefined && !I2C_BACKEND_NAMES.includes(site.backend.i2c)) {
    add('backend.i2c', 'unknown-backend', `unknown I2C backend "${site.backend.i2c}"; valid: ${I2C_BACKEND_NAMES.join(', ')}`);
  }

  // Firmata pins are the Arduino's, not the host header's: only the board-free checks apply.
  const headerBoard = site.backend.gpio === 'firmata' ? null : board;
  const busBoard = site.backend.i2c === 'firmata' ? null : board;

  const seen = new Map<number, string>();
  for (const use of pinUses(site)) {
    const first = seen.get(use.pin);
    if (first !== undefined) {
      add(use.path, 'pin-twice', `pin ${use.pin} is already used by ${first}`);
      continue;
    }
    seen.set(use.pin, use.path);
    if (!headerBoard) continue;
    const hp = headerBoard.header.find((p) => p.pin === use.pin);
    if (!hp) {
      const size = headerBoard.headerSize ?? headerBoard.header.length;
      add(use.path, 'pin-not-on-header', `${headerBoard.id} has no header pin ${use.pin} (its header has ${size} pins)`);
    } else if (hp.function !== 'gpio') {
      const what = hp.i2cBus !== undefined ? `${hp.function} of I2C bus ${hp.i2cBus}` : `${hp.function}${hp.name ? ` (${hp.name})` : ''}`;
      add(use.path, 'pin-not-gpio', `pin ${use.pin} is ${what} on ${headerBoard.id}, not a GPIO line`);
    }
  }

  const names = new Map<string, number>();
  const addresses = new Map<string, number>();
  // What each sensor and loop will stream (null: unknown, its options are bad), for `detection`.
  const streams = new Map<string, readonly string[] | null>();
  site.sensors.forEach((s, i) => {
    // The chip driver's own option schema, so `check` refuses what `run` would refuse.
    try {
      streams.set(s.name, streamedChannels(s.chip, chipChannels({ chip: s.chip, address: s.address, options: s.options, name: s.name })));
    } catch (e) {
      if (!(e instanceof ChipOptionsError)) throw e;
      add(`sensors.${i}.options${e.field ? `.${e.field}` : ''}`, 'chip-options', e.message);
      streams.set(s.name, null);
    }
    const firstName = names.get(s.name);
    if (firstName !== undefined) add(`sensors.${i}.name`, 'sensor-name-twice', `sensor name "${s.name}" is already used by sensors.${firstName}`);
    else names.set(s.name, i);
    const key = `${s.bus}:${s.address}`;
    const clash = addresses.get(key);
    if (clash !== undefined) {
      add(`sensors.${i}.address`, 'i2c-address-clash', `address ${hex(s.address)} on bus ${s.bus} is already used by sensors.${clash} (${site.sensors[clash]!.name})`);
    } else addresses.set(key, i);
    if (busBoard && !busBoard.i2cBuses.some((b) => b.bus === s.bus)) {
      const has = busBoard.i2cBuses.map((b) => `i2c-${b.bus}`).join(', ') || 'none';
      add(`sensors.${i}.bus`, 'i2c-bus-missing', `${busBoard.id} has no I2C bus ${s.bus} (it has ${has})`);
    }
  });

  for (const [phase, head] of Object.entries(site.lamps.phases)) {
    if (head.current_sensor === undefined) continue;
    const sensor = site.sensors.find((s) => s.name === head.current_sensor);
    const path = `lamps.phases.${phase}.current_sensor`;
    if (!sensor) add(path, 'current-sensor', `no sensor named "${head.current_sensor}" (it must be an ina219 in sensors)`);
    else if (sensor.chip !== 'ina219') add(path, 'current-sensor', `sensor "${sensor.name}" is a ${sensor.chip}, not an ina219`);
  }
  for (const name of loopNames(site.detectors)) if (!streams.has(name)) streams.set(name, ['occupancy']);
  checkDetection(site, streams, add);
  return problems;
}

/** Builds the detector as the runtime would, so `check` refuses what `run` would refuse; the refusal, or null. */
function detectorRefusal(name: string, params: Record<string, number>): string | null {
  try {
    createDetector(name, params);
    return null;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return msg.startsWith(`detector "${name}"`) ? msg : `detector "${name}" refuses these params: ${msg}`;
  }
}

/**
 * The `detection` section against the registry and the site's streams: an unknown detector or
 * parameter would stop `run` at start-up, and an entry naming no stream (a typo in a sensor or
 * channel name) or a stream already set by an earlier entry would be ignored without a word.
 */
function checkDetection(site: Site, streams: ReadonlyMap<string, readonly string[] | null>, add: (path: string, code: SiteProblemCode, message: string) => void): void {
  const det = site.detection;
  if (!det) return;
  const known = detectorNames();
  const unknown = (name: string) => `unknown detector "${name}"; valid: ${known.join(', ')}`;
  // A refused section is reported once, not again for each stream that keeps it.
  let section = det;
  if (det.detector !== undefined && !known.includes(det.detector)) {
    add('detection.detector', 'detector', unknown(det.detector));
    section = { ...det, detector: undefined, params: {} };
  } else {
    const refusal = detectorRefusal(det.detector ?? DEFAULT_DETECTOR, det.params);
    if (refusal) {
      add('detection.params', 'detector', refusal);
      section = { ...det, params: {} };
    }
  }
  const setBy = new Map<string, number>();
  det.streams.forEach((e, i) => {
    const path = `detection.streams.${i}`;
    const channels = streams.get(e.sensor);
    if (channels === undefined) {
      add(`${path}.sensor`, 'detection-stream', `no sensor or loop named "${e.sensor}"; streams come from: ${[...streams.keys()].join(', ') || 'none'}`);
    } else if (channels !== null) {
      const matched = channels.filter((ch) => entryMatches(e, e.sensor, ch));
      if (matched.length === 0) add(`${path}.channel`, 'detection-stream', `"${e.sensor}" streams no channel "${e.channel}"; its streams: ${channels.join(', ')}`);
      for (const ch of matched) {
        const first = setBy.get(`${e.sensor}.${ch}`);
        if (first !== undefined) add(path, 'detection-stream', `stream ${e.sensor}.${ch} is already set by detection.streams.${first}; this entry would be ignored for it`);
        else setBy.set(`${e.sensor}.${ch}`, i);
      }
    }
    if (e.detector !== undefined && !known.includes(e.detector)) add(`${path}.detector`, 'detector', unknown(e.detector));
    else if (e.detector !== undefined || e.params !== undefined) {
      const { detector, params } = streamDetector(section, e);
      const refusal = detectorRefusal(detector ?? DEFAULT_DETECTOR, params);
      if (refusal) add(`${path}.params`, 'detector', refusal);
    }
  });
}

/**
 * The profile a site's `board:` names, with `override` (e.g. `--board`) taking precedence.
 * `auto` yields null (nothing to check the header against); an unknown id yields a problem.
 */
export function resolveSiteBoard(site: Site, override?: string): { board: BoardProfile | null; problems: CheckProblem[] } {
  const id = override ?? site.board;
  if (id === 'auto') return { board: null, problems: [] };
  const board = getBoard(id);
  if (board) return { board, problems: [] };
  return {
    board: null,
    problems: [{ path: override ? '--board' : 'board', code: 'unknown-board', message: `unknown board "${id}"; known boards: ${BOARD_IDS.join(', ')}, auto` }],
  };
}

/** `board sim, 8 phases, 8 detectors, 5 sensors` */
export function siteSummary(site: Site, board: BoardProfile | null): string {
  const n = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  return `board ${board?.id ?? site.board}, ${n(Object.keys(site.lamps.phases).length, 'phase')}, ${n(site.detectors.length, 'detector')}, ${n(site.sensors.length, 'sensor')}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The same checks on a site file that failed the schema, so one run still reports every
 * problem: each lamp head, detector and sensor that validates on its own is checked, under
 * its original path (`detectors.3.pin` stays 3 even when detector 2 was invalid).
 */
export function checkPartialSite(raw: unknown, board: BoardProfile | null): CheckProblem[] {
  if (!isObject(raw)) return [];
  const phases: Record<string, Site['lamps']['phases'][string]> = {};
  const rawPhases = isObject(raw['lamps']) && isObject(raw['lamps']['phases']) ? raw['lamps']['phases'] : {};
  for (const [key, value] of Object.entries(rawPhases)) {
    const head = lampHead.safeParse(value);
    if (/^[1-8]$/.test(key) && head.success) phases[key] = head.data;
  }
  const keep = <T>(list: unknown, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }) => {
    const items: T[] = [];
    const index: number[] = [];
    (Array.isArray(list) ? list : []).forEach((v, i) => {
      const r = schema.safeParse(v);
      if (r.success) {
        items.push(r.data);
        index.push(i);
      }
    });
    return { items, index };
  };
  const detectors = keep(raw['detectors'], detectorInput);
  const sensors = keep(raw['sensors'], sensorSpec);
  const backend = siteSchema.shape.backend.safeParse(raw['backend']);
  const site = {
    id: 'partial',
    board: typeof raw['board'] === 'string' ? raw['board'] : 'auto',
    backend: backend.success ? backend.data : {},
    lamps: { active_low: false, phases },
    detectors: detectors.items,
    sensors: sensors.items,
  } as Site;
  const remap = (text: string) =>
    text
      .replace(/\bdetectors\.(\d+)/g, (_m, i: string) => `detectors.${detectors.index[Number(i)]}`)
      .replace(/\bsensors\.(\d+)/g, (_m, i: string) => `sensors.${sensors.index[Number(i)]}`);
  return checkSite(site, board).map((p) => ({ ...p, path: remap(p.path), message: remap(p.message) }));
}
