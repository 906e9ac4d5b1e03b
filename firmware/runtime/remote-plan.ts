import { controllerSection, type ControllerSection } from '../site/sections/controller.js';

/**
 * The `plan` argument of a remote `set-plan` command, turned into a complete controller
 * section (validated with the site schema), on top of the section the cabinet runs now:
 *
 * - a number: the site file's own plan again, by its pattern number (the only numbered plan a
 *   device knows; anything else is refused);
 * - a strategy name (`"fixed"`, `"actuated"`, `"webster"` …): that strategy with the current timing;
 * - a JSON object (or its text): fields of the controller section (`{"defaults":{"max_green_s":40}}`,
 *   `{"strategy":"fixed","fixed":{"green_s":{"2":30,…}}}`); `defaults` and `phases.N` are merged
 *   field by field, the rest replaces.
 *
 * What would need a different wiring or monitor programming (rings, barriers, compatible
 * pairs, phases in use, the monitor, the tick, start-up) cannot change at run time.
 * Errors are `RemotePlanError`s whose message starts with the offending field (`plan.…`).
 */
export class RemotePlanError extends Error {
  override readonly name = 'RemotePlanError';
}

export const FIXED_AT_RUN_TIME = ['rings', 'barriers', 'compatible', 'phases_in_use', 'monitor', 'tick_ms', 'startup_flash_s', 'startup_red_s'] as const;
const STRATEGIES = ['fixed', 'seed', 'actuated', 'max-pressure', 'webster'];

export function parseRemotePlan(plan: string | number | Record<string, unknown>, current: ControllerSection, site: ControllerSection): ControllerSection {
  if (typeof plan === 'number') {
    if (plan === site.pattern) return site;
    throw new RemotePlanError(`plan: pattern ${plan} is not defined on this device (the site file's plan is pattern ${site.pattern}); send a strategy name or a JSON controller section`);
  }
  let override: Record<string, unknown>;
  // The object itself (`send-command set-plan plan='{…}'` parses it) or its JSON text.
  const text = typeof plan === 'string' ? plan.trim() : '';
  if (typeof plan === 'object') {
    if (plan === null || Array.isArray(plan)) throw new RemotePlanError('plan: expected a JSON object');
    override = plan;
  } else if (STRATEGIES.includes(text)) override = { strategy: text };
  else if (text.startsWith('{')) {
    try {
      override = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new RemotePlanError(`plan: not valid JSON: ${(err as Error).message}`);
    }
    if (override === null || typeof override !== 'object' || Array.isArray(override)) throw new RemotePlanError('plan: expected a JSON object');
  } else {
    throw new RemotePlanError(`plan: "${text.slice(0, 40)}" is neither a strategy (${STRATEGIES.join(', ')}), a pattern number nor a JSON controller section`);
  }
  for (const k of FIXED_AT_RUN_TIME) {
    if (k in override) throw new RemotePlanError(`plan.${k}: cannot change at run time (change the site file and restart)`);
  }
  const merged: Record<string, unknown> = { ...current, ...override };
  if (isObject(override.defaults)) merged.defaults = { ...current.defaults, ...override.defaults };
  if (isObject(override.phases)) {
    const phases: Record<string, unknown> = { ...current.phases };
    for (const [p, t] of Object.entries(override.phases)) phases[p] = isObject(t) ? { ...(current.phases[p] ?? {}), ...t } : t;
    merged.phases = phases;
  }
  // A strategy change drops the old strategy's block only if the new one brings its own.
  if (override.strategy !== undefined && override.strategy !== 'fixed' && override.fixed === undefined) delete merged.fixed;
  const r = controllerSection.safeParse(merged);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new RemotePlanError(`plan${issue.path.length ? '.' + issue.path.join('.') : ''}: ${issue.message}`);
  }
  return r.data;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
