/**
 * The MQTT topics of one device. `<id>` is the site file's `id`, which the site schema already
 * restricts to letters, digits, - and _ (so no MQTT wildcard or separator can sneak in).
 */
export const TOPIC_KINDS = ['telemetry', 'alerts', 'state', 'cmd', 'ack'] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

export function topicOf(device: string, kind: TopicKind): string {
  return `wayside/${device}/${kind}`;
}

/** What every device publishes or receives: `wayside/+/#`. */
export const FLEET_FILTER = 'wayside/+/#';

/** Splits `wayside/<id>/<kind>`; undefined for anything else. */
export function parseTopic(topic: string): { device: string; kind: TopicKind } | undefined {
  const parts = topic.split('/');
  if (parts.length !== 3 || parts[0] !== 'wayside') return undefined;
  const kind = parts[2] as TopicKind;
  return TOPIC_KINDS.includes(kind) ? { device: parts[1]!, kind } : undefined;
}
