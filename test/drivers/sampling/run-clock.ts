import type { VirtualClock } from '../../../drivers/hal/clock.js';

const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Advances a virtual clock by `ms`, one due time at a time, letting every pending promise
 * continuation run to completion between timer events (a macrotask turn drains the microtask
 * queue however deep the await chain is). That is how real time behaves when I2C transactions
 * take no time, and it keeps hour-long virtual runs fast.
 */
export async function runFor(clock: VirtualClock, ms: number): Promise<void> {
  const end = clock.now() + ms;
  for (;;) {
    await macrotask();
    const due = clock.nextDue();
    if (due === undefined || due > end) break;
    clock.runUntil(due);
  }
  clock.runUntil(end);
  await macrotask();
}
