/**
 * Fleet topics. Presence and capacity share one retained topic so the Last Will (an
 * "offline" message on the same topic) replaces the capacity the node announced.
 */
export const fleetTopics = {
  capacity: (id: string) => `wayside/${id}/fleet/capacity`,
  load: (id: string) => `wayside/${id}/fleet/load`,
  assignment: (id: string) => `wayside/${id}/fleet/assignment`,
  plan: 'wayside/fleet/plan',
  /** What the coordinator subscribes to. */
  deviceWildcard: 'wayside/+/fleet/+',
} as const;

/** Splits `wayside/<id>/fleet/<kind>`; null for anything else. */
export function parseFleetTopic(topic: string): { device: string; kind: string } | null {
  const m = /^wayside\/([^/]+)\/fleet\/([^/]+)$/.exec(topic);
  return m ? { device: m[1]!, kind: m[2]! } : null;
}

/** Encrypts and authenticates fleet messages (Fernet in production). */
export interface Sealer {
  seal(message: object): string;
  /** Throws when the token is forged, corrupt or under an unknown key. */
  open(token: string): unknown;
}

export interface CapacityMessage {
  device: string;
  seq: number;
  ts: number;
  online: boolean;
  capacity?: { cpu: number; mem_mb: number; bw_mbps: number };
}

export interface LoadMessage {
  device: string;
  seq: number;
  ts: number;
  /** Seconds of work per planning period, measured. */
  measured: number;
  /** The plan version whose tasks were measured: reports about an older plan are ignored. */
  version: number;
}

export interface AssignmentMessage {
  device: string;
  seq: number;
  ts: number;
  version: number;
  reason: string;
  tasks: string[];
}
