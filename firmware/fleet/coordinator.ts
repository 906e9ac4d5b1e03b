import type { MqttClient } from 'mqtt';
import createDebug from 'debug';
import { FleetPlanner, type Plan, type PlannerOptions } from './planner.js';
import type { TaskSpec } from './problem.js';
import { fleetTopics, parseFleetTopic, type AssignmentMessage, type CapacityMessage, type LoadMessage, type Sealer } from './topics.js';

const debug = createDebug('fw:fleet:coordinator');

export interface CoordinatorEvents {
  plan?: (plan: Plan) => void;
  rejected?: (topic: string, why: string) => void;
}

/**
 * Runs the planner over MQTT: listens to every device's capacity/presence and load, and
 * publishes each device its task list (retained, so a device that reconnects gets it at
 * once) plus the whole plan. Messages that do not open with the fleet key are dropped and
 * counted, never acted on.
 */
export class FleetCoordinator {
  readonly planner: FleetPlanner;
  private seq = 0;
  rejected = 0;
  private lastSeq = new Map<string, number>();

  constructor(
    private readonly client: MqttClient,
    private readonly sealer: Sealer,
    tasks: TaskSpec[],
    private readonly events: CoordinatorEvents = {},
    options: PlannerOptions = {},
  ) {
    this.planner = new FleetPlanner(tasks, options);
  }

  async start(): Promise<void> {
    this.client.on('message', (topic, payload) => this.onMessage(topic, payload.toString('utf8')));
    await this.client.subscribeAsync(fleetTopics.deviceWildcard, { qos: 1 });
  }

  private onMessage(topic: string, text: string): void {
    const t = parseFleetTopic(topic);
    if (!t || t.kind === 'assignment') return;
    if (text.length === 0) return; // a cleared retained message
    let msg: CapacityMessage | LoadMessage;
    try {
      msg = this.sealer.open(text) as CapacityMessage | LoadMessage;
    } catch (e) {
      return this.reject(topic, `does not open with the fleet key: ${(e as Error).message}`);
    }
    if (msg?.device !== t.device) return this.reject(topic, `device "${String(msg?.device)}" does not match the topic`);
    // Replays of old load reports would drag the plan around; capacity is idempotent.
    if (t.kind === 'load') {
      const last = this.lastSeq.get(t.device) ?? -1;
      if (!(msg.seq > last)) return this.reject(topic, `stale seq ${msg.seq} <= ${last}`);
      this.lastSeq.set(t.device, msg.seq);
      const load = msg as LoadMessage;
      // A report about the tasks of an older plan says nothing about the current one.
      if (load.version !== this.planner.plan?.version) return;
      this.publish(this.planner.reportLoad(t.device, load.measured));
    } else if (t.kind === 'capacity') {
      const c = msg as CapacityMessage;
      if (c.online && c.capacity) {
        // A (re)started device counts its seq from 1 again.
        this.lastSeq.delete(t.device);
        this.publish(this.planner.join(t.device, c.capacity));
      }
      else if (!c.online) this.publish(this.planner.leave(t.device));
    }
  }

  private reject(topic: string, why: string): void {
    this.rejected++;
    debug('rejected %s: %s', topic, why);
    this.events.rejected?.(topic, why);
  }

  private publish(plan: Plan | null): void {
    if (!plan) return;
    debug('plan v%d (%s): makespan %d', plan.version, plan.reason, plan.makespan);
    const ts = Date.now();
    for (const [device, tasks] of Object.entries(plan.byNode)) {
      const m: AssignmentMessage = { device, seq: ++this.seq, ts, version: plan.version, reason: plan.reason, tasks };
      this.client.publish(fleetTopics.assignment(device), this.sealer.seal(m), { qos: 1, retain: true });
    }
    this.client.publish(fleetTopics.plan, this.sealer.seal({ device: 'coordinator', seq: ++this.seq, ts, ...plan }), { qos: 1, retain: true });
    this.events.plan?.(plan);
  }
}
