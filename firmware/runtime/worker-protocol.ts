/** Messages between the control thread and a worker (see worker-client.ts / worker-host.ts). */
export interface WorkerRequest {
  readonly id: number;
  readonly kind: string;
  readonly payload: unknown;
}

export type WorkerReply =
  | { readonly type: 'ready'; readonly tid: number | null; readonly name: string }
  | { readonly type: 'result'; readonly id: number; readonly ok: true; readonly result: unknown; readonly ms: number }
  | { readonly type: 'result'; readonly id: number; readonly ok: false; readonly error: string; readonly ms: number }
  | { readonly type: 'event'; readonly event: unknown };
