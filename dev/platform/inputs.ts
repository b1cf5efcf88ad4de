/**
 * How values flow into a workflow run on the fake platform: a trigger's
 * inputs (literal values, `{{data.user_id}}`, `{{data.interactivity}}`,
 * customizable ones), each step's inputs from the run and earlier steps,
 * and when a scheduled trigger runs next.
 *
 * @module
 */
import type { Json, WorkflowRun } from "./types.ts";

/**
 * A trigger's workflow inputs as Slack fills them: `{{data.user_id}}` and
 * `{{data.interactivity}}` for `userId` (link triggers), customizable
 * inputs from `custom`, literal values as given.
 *
 * @example
 * ```ts
 * triggerInputs({ inputs: { user: { value: "{{data.user_id}}" } } }, "U1", {},
 *   () => ({})); // { user: "U1" }
 * ```
 */
export function triggerInputs(
  trigger: Record<string, Json>,
  userId: string | undefined,
  custom: Record<string, string>,
  interactivity: (userId: string) => unknown,
): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const [name, input] of Object.entries(trigger.inputs ?? {})) {
    const spec = input as { value?: unknown; customizable?: boolean };
    if (spec.customizable) {
      if (name in custom) inputs[name] = custom[name];
    } else if (spec.value === "{{data.user_id}}") {
      inputs[name] = userId;
    } else if (spec.value === "{{data.interactivity}}") {
      inputs[name] = userId ? interactivity(userId) : undefined;
    } else {
      inputs[name] = spec.value;
    }
  }
  return inputs;
}

/**
 * A step's inputs: `{{inputs.x}}` from the run's inputs, `{{steps.N.x}}`
 * from step N's outputs, anything else as written.
 */
export function resolveInputs(
  inputs: Record<string, unknown>,
  run: WorkflowRun,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, ref] of Object.entries(inputs)) {
    const m = typeof ref === "string"
      ? ref.match(/^\{\{(inputs|steps\.(\d+))\.([\w]+)\}\}$/)
      : null;
    if (!m) {
      out[key] = ref;
    } else if (m[1] === "inputs") {
      out[key] = run.inputs[m[3]];
    } else {
      out[key] = run.executions[Number(m[2])]?.outputs?.[m[3]];
    }
  }
  return out;
}

/**
 * When a scheduled trigger runs next (epoch ms), or null when it will not
 * again: once at its start time, or every period from it (hourly, daily,
 * weekly; `repeats_every` periods apart). `last` is when it last ran.
 */
export function nextRunAt(
  trigger: Record<string, unknown>,
  last: number | undefined,
): number | null {
  const schedule = trigger.schedule as Record<string, Json>;
  const start = Date.parse(String(schedule.start_time));
  const frequency = (schedule.frequency ?? {}) as Record<string, Json>;
  const unit = {
    hourly: 3_600_000,
    daily: 86_400_000,
    weekly: 7 * 86_400_000,
  }[String(frequency.type)];
  if (!unit) return last === undefined ? start : null;
  if (last === undefined) return start;
  return last + unit * Number(frequency.repeats_every ?? 1);
}
