import type { IClientOptions } from 'mqtt';
import type { Site } from '../site/schema.js';
import { buildUplinkOptions } from '../uplink/options.js';
import type { Sealer } from './topics.js';

/**
 * Fleet traffic goes to the same broker, with the same TLS, credentials and Fernet key ring
 * as the device's uplink (site `uplink` section, or `--mqtt`/`--key`), on its own connection
 * so its Last Will speaks only for fleet presence.
 */
export async function fleetConnection(
  site: Site,
  overrides: { mqtt?: string; key?: string[] },
  siteDir: string,
  clientSuffix: string,
): Promise<{ url: string; options: IClientOptions; sealer: Sealer }> {
  const o = await buildUplinkOptions(site, { ...(overrides.mqtt ? { mqtt: overrides.mqtt } : {}), ...(overrides.key?.length ? { key: overrides.key } : {}) }, siteDir);
  if (!o) throw new Error('no broker: give --mqtt URL or an uplink section in the site file');
  const ring = o.ring;
  const sealer: Sealer = {
    seal: (m) => ring.encrypt(JSON.stringify(m)),
    open: (token) => JSON.parse(ring.decrypt(token).toString('utf8')),
  };
  const options: IClientOptions = {
    clientId: `${o.clientId ?? site.id}-${clientSuffix}`,
    clean: true,
    keepalive: o.keepaliveS ?? 30,
    reconnectPeriod: 1000,
    ...(o.username !== undefined ? { username: o.username } : {}),
    ...(o.password !== undefined ? { password: o.password } : {}),
    ...(o.tls ? { ...o.tls } : {}),
  };
  return { url: o.broker, options, sealer };
}
