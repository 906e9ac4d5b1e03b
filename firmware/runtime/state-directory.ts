/**
 * systemd's StateDirectory= for this service (`$STATE_DIRECTORY`, /var/lib/wayside for
 * wayside.service), or undefined outside systemd. systemd may pass several state directories,
 * colon-separated: the first is ours.
 */
export function stateDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.STATE_DIRECTORY?.split(':')[0] || undefined;
}
