import { z } from 'zod';

/**
 * Remote commands: the allow-list, the shape of each command's arguments, and the handler
 * interface the runtime implements. A command not on this list is never executed, whatever
 * key signed it.
 */
export const COMMANDS = ['get-state', 'set-plan', 'reset-monitor', 'retrain'] as const;
export type CommandName = (typeof COMMANDS)[number];

export const commandArgs = {
  'get-state': z.object({}).strict(),
  /** Switch plan: the site's pattern number, a strategy name, or controller-section fields (a JSON object, or its text). */
  'set-plan': z.object({ plan: z.union([z.string().min(1), z.number().int(), z.record(z.unknown())]) }).strict(),
  'reset-monitor': z.object({}).strict(),
  /** Retrain the anomaly model, for one stream or all. */
  retrain: z.object({ stream: z.string().min(1).optional() }).strict(),
} satisfies Record<CommandName, z.ZodTypeAny>;

export type CommandArgs = { [K in CommandName]: z.infer<(typeof commandArgs)[K]> };

/** What `reset-monitor` reports: the monitor clears its latched flash only if its fault is gone. */
export interface ResetMonitorResult {
  cleared: boolean;
  /** Why it stayed latched (e.g. "conflict on phases 2 and 4 still present"). */
  reason?: string;
}

/**
 * Implemented by the runtime and given to `Uplink.onCommand`. A handler returns the result
 * to put in the ack (JSON-serialisable) or throws to answer with an error ack. A command
 * whose handler is missing is answered "not supported on this device".
 */
export interface CommandHandlers {
  'get-state'?: (args: CommandArgs['get-state']) => unknown | Promise<unknown>;
  'set-plan'?: (args: CommandArgs['set-plan']) => unknown | Promise<unknown>;
  /** Must check the local fault itself: the uplink only forwards the operator's request. */
  'reset-monitor'?: (args: CommandArgs['reset-monitor']) => ResetMonitorResult | Promise<ResetMonitorResult>;
  retrain?: (args: CommandArgs['retrain']) => unknown | Promise<unknown>;
}

/** The plaintext of a command token on wayside/<id>/cmd. */
export const commandMessage = z
  .object({
    /** Unique per command (a UUID): the replay window and the ack use it. */
    id: z.string().min(8).max(128),
    /** The device it is for: a command captured for one cabinet is refused by the others. */
    device: z.string().min(1),
    cmd: z.string().min(1).max(64),
    args: z.record(z.unknown()).default({}),
    ts: z.number().optional(),
  })
  .strict();
export type CommandMessage = z.infer<typeof commandMessage>;

export function isCommandName(s: string): s is CommandName {
  return (COMMANDS as readonly string[]).includes(s);
}
