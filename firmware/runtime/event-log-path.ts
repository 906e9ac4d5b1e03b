import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stateDirectory } from './state-directory.js';

/**
 * Where the event log goes when the site's `status.event_log` names no file: under systemd's
 * StateDirectory= (`$STATE_DIRECTORY`, /var/lib/wayside for wayside.service), which survives
 * restarts; elsewhere (a laptop, `npm start`) under the temporary folder. Under the service
 * the temporary folder is private to each run (PrivateTmp=yes), so a log there would be lost
 * at every restart, exactly when it is needed.
 */
export function defaultEventLogPath(siteId: string, env: NodeJS.ProcessEnv = process.env): string {
  const state = stateDirectory(env);
  return state ? join(state, 'events.jsonl') : join(tmpdir(), 'wayside', siteId, 'events.jsonl');
}
