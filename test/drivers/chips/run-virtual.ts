import type { VirtualClock } from '../../../drivers/hal/clock.js';

/**
 * Runs `p` to completion on a virtual clock: advances time in small steps (letting promise
 * continuations run between timers) until it settles, failing if it takes longer than `maxMs`
 * of virtual time. Tests never wait on the wall clock.
 */
export async function settle<T>(clock: VirtualClock, p: Promise<T>, maxMs = 10_000, stepMs = 1): Promise<T> {
  let done = false;
  let value: T | undefined;
  let error: unknown;
  let failed = false;
  p.then(
    (v) => {
      done = true;
      value = v;
    },
    (e: unknown) => {
      done = true;
      failed = true;
      error = e;
    },
  );
  const end = clock.now() + maxMs;
  while (!done) {
    if (clock.now() >= end) throw new Error(`did not settle within ${maxMs} ms of virtual time`);
    await clock.advanceAsync(stepMs);
  }
  if (failed) throw error;
  return value as T;
}
