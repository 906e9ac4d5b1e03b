import { z } from 'zod';

/**
 * The `uplink` section of a site file: where the device reports to (MQTT), how it proves who
 * it is (TLS client certificate and/or username/password), the Fernet key ring, and how much
 * it may keep on disk while the broker is unreachable. Paths are as written (relative paths
 * are resolved against the site file's folder by firmware/uplink/options.ts).
 */
const path = z.string().min(1);

export const uplinkTls = z
  .object({
    /** CA bundle (PEM) that signed the broker's certificate; the system CAs when absent. */
    ca: path.optional(),
    /** Client certificate and key (PEM) when the broker requires mutual TLS; both or neither. */
    cert: path.optional(),
    key: path.optional(),
    /** Verify the broker's certificate and host name. Turn off only on a bench, never in a cabinet. */
    reject_unauthorized: z.boolean().default(true),
    /** Host name to verify when the URL uses an IP address. */
    servername: z.string().optional(),
  })
  .strict()
  .refine((t) => (t.cert === undefined) === (t.key === undefined), {
    message: 'tls.cert and tls.key go together',
    path: ['cert'],
  });

export const uplinkOutbox = z
  .object({
    /** SQLite file holding every message until the broker acknowledges it. */
    path: path.default('/var/lib/wayside/uplink-outbox.sqlite'),
    /** When more are queued, the oldest telemetry summaries are dropped (alerts never). */
    max_messages: z.number().int().min(100).default(100_000),
    max_bytes: z.number().int().min(64 * 1024).default(64 * 1024 * 1024),
  })
  .strict();

export const uplinkSection = z
  .object({
    /** mqtt://host:1883 or mqtts://host:8883 (ws/wss also work). */
    broker: z
      .string()
      .regex(/^(mqtts?|wss?|tcp|ssl|tls):\/\/[^/\s]+/, 'must be like mqtts://broker.example:8883'),
    client_id: z.string().min(1).max(64).optional(),
    username: z.string().optional(),
    /** Inline password; prefer password_file so the site file can be shared. */
    password: z.string().optional(),
    password_file: path.optional(),
    tls: uplinkTls.optional(),
    /** Fernet key file (what Python's Fernet.generate_key() writes), or several for rotation: the first encrypts. */
    key_file: path.optional(),
    key_files: z.array(path).min(1).optional(),
    /** Seconds between telemetry summaries. */
    telemetry_interval_s: z.number().positive().max(86_400).default(60),
    /** Commands older than this (by their Fernet timestamp) are refused. */
    command_ttl_s: z.number().int().min(1).max(3600).default(30),
    /** How many command ids are remembered to refuse replays (within the TTL). */
    replay_window: z.number().int().min(16).max(1_000_000).default(10_000),
    keepalive_s: z.number().int().min(5).max(3600).default(30),
    /** Messages handed to the MQTT client at once, waiting for PUBACK. */
    max_inflight: z.number().int().min(1).max(1000).default(32),
    outbox: uplinkOutbox.default({}),
  })
  .strict()
  .refine((u) => !(u.password !== undefined && u.password_file !== undefined), {
    message: 'give password or password_file, not both',
    path: ['password'],
  })
  .refine((u) => !(u.key_file !== undefined && u.key_files !== undefined), {
    message: 'give key_file or key_files, not both',
    path: ['key_file'],
  });
export type UplinkSection = z.infer<typeof uplinkSection>;
export type UplinkSectionInput = z.input<typeof uplinkSection>;
