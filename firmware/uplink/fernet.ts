import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Fernet (github.com/fernet/spec) on node:crypto, token-compatible with Python's
 * `cryptography.fernet`. Token = 0x80 | ts(u64 BE, seconds) | iv(16) | AES-128-CBC(PKCS7) | HMAC-SHA256(32),
 * url-safe base64. The HMAC is checked in constant time before anything else in the token is
 * trusted: the timestamp (TTL) and the ciphertext (padding) are only looked at once it matches,
 * so a forger learns nothing from which check failed.
 */
export class InvalidToken extends Error {
  override readonly name = 'InvalidToken';
  constructor(readonly reason: 'format' | 'signature' | 'expired' | 'future' | 'padding') {
    super(`invalid Fernet token (${reason})`);
  }
}

const VERSION = 0x80;
const HEADER = 1 + 8 + 16;
const MAC = 32;
/** Same as Python's _MAX_CLOCK_SKEW: a token from further in the future than this is refused. */
export const MAX_CLOCK_SKEW_S = 60;
const B64URL = /^[A-Za-z0-9_-]*={0,2}$/;

export interface DecryptOptions {
  /** Refuse tokens older than this many seconds (and more than MAX_CLOCK_SKEW_S in the future). */
  ttlS?: number;
  /** Wall time in seconds since the epoch; Fernet timestamps are wall time by specification. */
  nowS?: number;
}

/** Padded url-safe base64, as Python writes it (Node's 'base64url' drops the padding). */
function toUrlSafe(b: Buffer): string {
  return b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Decodes a key as Python's Fernet does: url-safe base64 of exactly 32 bytes. */
export function decodeKey(key: string): Buffer {
  const s = key.trim();
  const raw = B64URL.test(s) && s.length % 4 === 0 ? Buffer.from(s, 'base64url') : Buffer.alloc(0);
  if (raw.length !== 32) throw new RangeError('a Fernet key is 32 url-safe base64-encoded bytes (44 characters)');
  return raw;
}

export class Fernet {
  private readonly signingKey: Buffer;
  private readonly encryptionKey: Buffer;

  constructor(key: string | Buffer) {
    const raw = typeof key === 'string' ? decodeKey(key) : key;
    if (raw.length !== 32) throw new RangeError(`a Fernet key is 32 bytes, got ${raw.length}`);
    this.signingKey = Buffer.from(raw.subarray(0, 16));
    this.encryptionKey = Buffer.from(raw.subarray(16));
  }

  /** What Python's `Fernet.generate_key()` returns: 44 characters, padded. */
  static generateKey(): string {
    return toUrlSafe(randomBytes(32));
  }

  encrypt(data: Buffer | string, opts: { nowS?: number; iv?: Buffer } = {}): string {
    const iv = opts.iv ?? randomBytes(16);
    const cipher = createCipheriv('aes-128-cbc', this.encryptionKey, iv);
    const body = Buffer.concat([cipher.update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data), cipher.final()]);
    const head = Buffer.alloc(HEADER);
    head[0] = VERSION;
    head.writeBigUInt64BE(BigInt(Math.floor(opts.nowS ?? nowSeconds())), 1);
    iv.copy(head, 9);
    const signed = Buffer.concat([head, body]);
    const mac = createHmac('sha256', this.signingKey).update(signed).digest();
    return toUrlSafe(Buffer.concat([signed, mac]));
  }

  decrypt(token: string, opts: DecryptOptions = {}): Buffer {
    if (!B64URL.test(token) || token.length % 4 !== 0) throw new InvalidToken('format');
    const raw = Buffer.from(token, 'base64url');
    if (raw.length < HEADER + 16 + MAC || (raw.length - HEADER - MAC) % 16 !== 0 || raw[0] !== VERSION) {
      throw new InvalidToken('format');
    }
    const signed = raw.subarray(0, raw.length - MAC);
    const mac = createHmac('sha256', this.signingKey).update(signed).digest();
    if (!timingSafeEqual(mac, raw.subarray(raw.length - MAC))) throw new InvalidToken('signature');
    if (opts.ttlS !== undefined) {
      const ts = Number(raw.readBigUInt64BE(1));
      const now = opts.nowS ?? nowSeconds();
      if (ts + opts.ttlS < now) throw new InvalidToken('expired');
      if (ts > now + MAX_CLOCK_SKEW_S) throw new InvalidToken('future');
    }
    try {
      const decipher = createDecipheriv('aes-128-cbc', this.encryptionKey, raw.subarray(9, HEADER));
      return Buffer.concat([decipher.update(raw.subarray(HEADER, raw.length - MAC)), decipher.final()]);
    } catch {
      throw new InvalidToken('padding');
    }
  }

  /** The token's timestamp (seconds), without verifying it: for display only. */
  static timestampOf(token: string): number {
    return Number(Buffer.from(token, 'base64url').readBigUInt64BE(1));
  }
}

/** A key ring for rotation (Python's MultiFernet): encrypts with the first key, decrypts with any. */
export class MultiFernet {
  private readonly ring: Fernet[];

  constructor(keys: readonly (string | Buffer | Fernet)[]) {
    if (keys.length === 0) throw new RangeError('a key ring needs at least one key');
    this.ring = keys.map((k) => (k instanceof Fernet ? k : new Fernet(k)));
  }

  encrypt(data: Buffer | string, opts: { nowS?: number; iv?: Buffer } = {}): string {
    return this.ring[0]!.encrypt(data, opts);
  }

  decrypt(token: string, opts: DecryptOptions = {}): Buffer {
    for (const f of this.ring) {
      try {
        return f.decrypt(token, opts);
      } catch (err) {
        // Only a signature mismatch means "another key may fit"; an expired token signed by
        // one of our keys is expired whatever the other keys say.
        if (!(err instanceof InvalidToken) || err.reason !== 'signature') throw err;
      }
    }
    throw new InvalidToken('signature');
  }
}
