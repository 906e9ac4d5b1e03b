import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Site } from '../site/schema.js';
import { uplinkSection, type UplinkSection } from '../site/sections/uplink.js';
import { readKeyRing } from './key-file.js';
import type { UplinkOptions } from './uplink.js';

/**
 * Builds `Uplink.open` options from a site file plus command-line overrides
 * (`wayside run … --mqtt URL --key FILE`). Reads the key ring, TLS files and password file
 * here, so a missing or unreadable file is reported before the runtime starts, naming the
 * site field and the file.
 */
export class UplinkConfigError extends Error {
  override readonly name = 'UplinkConfigError';
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`uplink.${field}: ${detail}`);
  }
}

export interface UplinkOverrides {
  /** Broker URL replacing uplink.broker. */
  mqtt?: string;
  /** Key file(s) replacing uplink.key_file / key_files. */
  key?: string | string[];
  /** Outbox file replacing uplink.outbox.path (e.g. a temporary folder on a laptop). */
  outboxPath?: string;
}

/** Undefined when the site has no uplink section and no `--mqtt` override: run without uplink. */
export async function buildUplinkOptions(site: Site, overrides: UplinkOverrides = {}, siteDir = process.cwd()): Promise<UplinkOptions | undefined> {
  let section: UplinkSection;
  if (site.uplink) {
    section = overrides.mqtt ? { ...site.uplink, broker: overrides.mqtt } : site.uplink;
  } else if (overrides.mqtt) {
    const r = uplinkSection.safeParse({ broker: overrides.mqtt });
    if (!r.success) throw new UplinkConfigError('broker', `--mqtt ${overrides.mqtt}: ${r.error.issues[0]?.message}`);
    section = r.data;
  } else {
    return undefined;
  }
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(siteDir, p));
  const read = async (field: string, p: string): Promise<Buffer> => {
    try {
      return await readFile(at(p));
    } catch (err) {
      throw new UplinkConfigError(field, `cannot read ${at(p)}: ${(err as Error).message}`);
    }
  };

  const keyFiles = overrides.key !== undefined ? [overrides.key].flat() : (section.key_files ?? (section.key_file ? [section.key_file] : []));
  if (keyFiles.length === 0) throw new UplinkConfigError('key_file', 'a Fernet key file is required (site uplink.key_file or --key FILE)');
  let ring;
  try {
    ring = await readKeyRing(keyFiles.map((f) => (overrides.key !== undefined ? resolve(f) : at(f))));
  } catch (err) {
    throw new UplinkConfigError(overrides.key !== undefined ? 'key_file (--key)' : 'key_file', (err as Error).message);
  }

  const opts: UplinkOptions = {
    device: site.id,
    broker: section.broker,
    ring,
    outboxPath: overrides.outboxPath ?? at(section.outbox.path),
    outboxLimits: { maxMessages: section.outbox.max_messages, maxBytes: section.outbox.max_bytes },
    telemetryIntervalMs: Math.round(section.telemetry_interval_s * 1000),
    commandTtlS: section.command_ttl_s,
    replayWindow: section.replay_window,
    keepaliveS: section.keepalive_s,
    maxInflight: section.max_inflight,
  };
  if (section.client_id !== undefined) opts.clientId = section.client_id;
  if (section.username !== undefined) opts.username = section.username;
  if (section.password !== undefined) opts.password = section.password;
  if (section.password_file !== undefined) opts.password = (await read('password_file', section.password_file)).toString('utf8').trim();
  if (section.tls) {
    const t = section.tls;
    opts.tls = { rejectUnauthorized: t.reject_unauthorized };
    if (t.ca) opts.tls.ca = await read('tls.ca', t.ca);
    if (t.cert) opts.tls.cert = await read('tls.cert', t.cert);
    if (t.key) opts.tls.key = await read('tls.key', t.key);
    if (t.servername) opts.tls.servername = t.servername;
  }
  return opts;
}
