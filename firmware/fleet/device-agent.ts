import type { IClientOptions } from 'mqtt';
import createDebug from 'debug';
import { fleetTopics, parseFleetTopic, type AssignmentMessage, type CapacityMessage, type LoadMessage, type Sealer } from './topics.js';

const debug = createDebug('fw:fleet:device');

export interface DeviceCapacity {
  cpu: number;
  mem_mb: number;
  bw_mbps: number;
}

/**
 * The device side of fleet scheduling: the MQTT options that make the broker announce this
 * device offline if it dies (Last Will on its retained capacity topic), the online message,
 * and the handling of assignments (newest version wins; forged ones are ignored).
 */
export class FleetDevice {
  private seq = 0;
  private version = -1;
  tasks: string[] = [];

  constructor(
    readonly id: string,
    private readonly capacity: DeviceCapacity,
    private readonly sealer: Sealer,
    private readonly onAssignment: (tasks: string[], message: AssignmentMessage) => void = () => {},
  ) {}

  /** Connect options carrying the Last Will. */
  willOptions(): Pick<IClientOptions, 'will'> {
    const offline: CapacityMessage = { device: this.id, seq: 0, ts: Date.now(), online: false };
    return { will: { topic: fleetTopics.capacity(this.id), payload: Buffer.from(this.sealer.seal(offline)), qos: 1, retain: true } };
  }

  topics(): string[] {
    return [fleetTopics.assignment(this.id)];
  }

  onlineMessage(): { topic: string; payload: string } {
    const m: CapacityMessage = { device: this.id, seq: ++this.seq, ts: Date.now(), online: true, capacity: this.capacity };
    return { topic: fleetTopics.capacity(this.id), payload: this.sealer.seal(m) };
  }

  offlineMessage(): { topic: string; payload: string } {
    const m: CapacityMessage = { device: this.id, seq: ++this.seq, ts: Date.now(), online: false };
    return { topic: fleetTopics.capacity(this.id), payload: this.sealer.seal(m) };
  }

  /** The plan version of the current task list, -1 before the first assignment. */
  get planVersion(): number {
    return this.version;
  }

  /** A load report, or null before the first assignment (there is nothing to measure yet). */
  loadMessage(measured: number): { topic: string; payload: string } | null {
    if (this.version < 0) return null;
    const m: LoadMessage = { device: this.id, seq: ++this.seq, ts: Date.now(), measured, version: this.version };
    return { topic: fleetTopics.load(this.id), payload: this.sealer.seal(m) };
  }

  /** Handles a message on one of `topics()`; returns true if it changed the task list. */
  handle(topic: string, text: string): boolean {
    const t = parseFleetTopic(topic);
    if (!t || t.kind !== 'assignment' || t.device !== this.id || text.length === 0) return false;
    let m: AssignmentMessage;
    try {
      m = this.sealer.open(text) as AssignmentMessage;
    } catch (e) {
      debug('ignored assignment that does not open: %s', (e as Error).message);
      return false;
    }
    if (m.device !== this.id || !Array.isArray(m.tasks) || !(m.version > this.version)) return false;
    this.version = m.version;
    this.tasks = m.tasks;
    this.onAssignment(m.tasks, m);
    return true;
  }
}
