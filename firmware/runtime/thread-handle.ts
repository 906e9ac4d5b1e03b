import type { TransferListItem } from 'node:worker_threads';

/**
 * What the control thread needs of a worker thread: a Worker, or one module hosted with others
 * on a shared thread (system-thread.ts). Events: 'message', 'error', 'exit'.
 */
export interface ThreadHandle {
  postMessage(value: unknown, transferList?: readonly TransferListItem[]): void;
  on(event: 'message', listener: (value: any) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'exit', listener: (code: number) => void): this;
  once(event: 'error', listener: (err: Error) => void): this;
  off(event: 'message' | 'error' | 'exit', listener: (...args: any[]) => void): this;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}
