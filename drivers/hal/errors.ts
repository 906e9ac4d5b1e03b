/**
 * Hardware errors carry a `kind` so that generic code (retry policies, the sampling
 * scheduler, the status page) can decide what to do without knowing which backend
 * raised them. Backends keep the detail (errno, path) in the message and `cause`.
 * Modelled on embedded-hal's `Error::kind()`.
 */
export type HalErrorKind =
  | 'noAck' // device did not acknowledge its address or data (EREMOTEIO, ENXIO, EIO on i2c)
  | 'timeout' // clock stretching / a stuck bus (ETIMEDOUT)
  | 'busy' // line or bus claimed by someone else (EBUSY, EAGAIN)
  | 'access' // permissions: user not in group gpio / i2c (EACCES, EPERM)
  | 'notFound' // no such chip, line or bus (ENOENT, ENODEV)
  | 'invalid' // bad argument, typically a sysfs number wrong for this kernel (EINVAL)
  | 'other';

export const HAL_ERROR_KINDS: readonly HalErrorKind[] = [
  'noAck', 'timeout', 'busy', 'access', 'notFound', 'invalid', 'other',
];

/** errno code → kind. EINVAL is its own kind: on sysfs GPIO it means the number is wrong for the kernel's chip base. */
const ERRNO_KIND: Readonly<Record<string, HalErrorKind>> = {
  EREMOTEIO: 'noAck',
  ENXIO: 'noAck',
  EIO: 'noAck',
  ETIMEDOUT: 'timeout',
  EBUSY: 'busy',
  EAGAIN: 'busy',
  EACCES: 'access',
  EPERM: 'access',
  ENOENT: 'notFound',
  ENODEV: 'notFound',
  EINVAL: 'invalid',
};

/** Linux errno numbers, for bindings that report only `errno` (i2c-bus passes both). */
const ERRNO_NUMBER: Readonly<Record<number, string>> = {
  1: 'EPERM', 2: 'ENOENT', 5: 'EIO', 6: 'ENXIO', 11: 'EAGAIN', 13: 'EACCES', 16: 'EBUSY',
  19: 'ENODEV', 22: 'EINVAL', 110: 'ETIMEDOUT', 121: 'EREMOTEIO',
};

export class HalError extends Error {
  override readonly name = 'HalError';
  constructor(
    readonly kind: HalErrorKind,
    message: string,
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Errors worth retrying on an idempotent read: the device may answer next time. */
  get transient(): boolean {
    return this.kind === 'noAck' || this.kind === 'timeout' || this.kind === 'busy';
  }

  /**
   * Wraps whatever a binding threw (a Node `ErrnoException`, a plain Error, a string)
   * into a HalError. `context` names what was being done, e.g. "i2c-1 addr 0x76 read 0xF7".
   */
  static from(err: unknown, context: string): HalError {
    if (err instanceof HalError) return err;
    const e = err as { code?: unknown; errno?: unknown; message?: unknown } | undefined;
    let code = typeof e?.code === 'string' ? e.code : undefined;
    if (!code && typeof e?.errno === 'number') code = ERRNO_NUMBER[Math.abs(e.errno)];
    const kind: HalErrorKind = (code && ERRNO_KIND[code]) || 'other';
    const detail = typeof e?.message === 'string' ? e.message : String(err);
    return new HalError(kind, `${context}: ${detail}`, code, { cause: err });
  }
}
