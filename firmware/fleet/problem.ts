import { z } from 'zod';

/**
 * A fleet scheduling problem: tasks to place on edge nodes. The JSON shape is the CLI's
 * contract (`wayside fleet schedule PROBLEM.json`); field names are as operators write them.
 */
const id = z.string().min(1, 'must be a non-empty string');

export const nodeSpec = z
  .object({
    id,
    /** Relative speed: a task of `compute` c takes c / cpu seconds here. */
    cpu: z.number().positive('must be > 0'),
    mem_mb: z.number().nonnegative(),
    /** Link bandwidth in Mbit/s. */
    bw_mbps: z.number().positive('must be > 0'),
  })
  .strict();

export const taskSpec = z
  .object({
    id,
    compute: z.number().nonnegative(),
    mem_mb: z.number().nonnegative().default(0),
    /** Input data in MB that must travel from `source` when the task runs elsewhere. */
    data_mb: z.number().nonnegative().default(0),
    source: z.string().optional(),
  })
  .strict();

export const problemSchema = z
  .object({
    nodes: z.array(nodeSpec).min(1, 'needs at least one node'),
    tasks: z.array(taskSpec),
  })
  .strict()
  .superRefine((p, ctx) => {
    const nodeIds = new Set<string>();
    p.nodes.forEach((n, i) => {
      if (nodeIds.has(n.id)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'id'], message: `duplicate node id "${n.id}"` });
      nodeIds.add(n.id);
    });
    const taskIds = new Set<string>();
    p.tasks.forEach((t, i) => {
      if (taskIds.has(t.id)) ctx.addIssue({ code: 'custom', path: ['tasks', i, 'id'], message: `duplicate task id "${t.id}"` });
      taskIds.add(t.id);
      if (t.source !== undefined && !nodeIds.has(t.source)) {
        ctx.addIssue({ code: 'custom', path: ['tasks', i, 'source'], message: `unknown node "${t.source}"` });
      }
    });
  });

export type Problem = z.infer<typeof problemSchema>;
export type ProblemInput = z.input<typeof problemSchema>;
export type NodeSpec = z.infer<typeof nodeSpec>;
export type TaskSpec = z.infer<typeof taskSpec>;

export class ProblemError extends Error {
  override readonly name = 'ProblemError';
}

/** Validates a parsed JSON value; the error names every offending field (`tasks.3.source`). */
export function parseProblem(value: unknown): Problem {
  const r = problemSchema.safeParse(value);
  if (!r.success) {
    throw new ProblemError(r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  }
  return r.data;
}
