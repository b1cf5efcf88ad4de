/**
 * The arguments and answers of the `workflows.triggers.*` calls the app
 * makes: scheduled triggers (reminders, ends, timeouts, the periodic check)
 * and the link trigger behind the decision buttons.
 *
 * @module
 */

/** The trigger methods, as in `workflows.triggers.<method>`. */
export type TriggerMethod = "create" | "update" | "delete" | "list";

/** A workflow a trigger runs, as `#/workflows/<callback_id>`. */
export type WorkflowRef = `#/workflows/${string}`;

/** When a scheduled trigger runs: once, or every N hours, days or weeks. */
export type TriggerSchedule = {
  start_time: string;
  timezone?: string;
  frequency:
    | { type: "once" }
    | { type: "hourly" | "daily" | "weekly"; repeats_every: number };
};

/** A scheduled trigger, as `workflows.triggers.create` takes it. */
export type ScheduledTriggerArgs = {
  type: "scheduled";
  name: string;
  workflow: WorkflowRef;
  inputs: Record<string, { value: string }>;
  schedule: TriggerSchedule;
};

/**
 * A link trigger: inputs filled from the click's context, or
 * `customizable` (a workflow button fills them in).
 */
export type LinkTriggerArgs = {
  type: "shortcut";
  name: string;
  description?: string;
  workflow: WorkflowRef;
  inputs: Record<string, { value: string } | { customizable: true }>;
};

/** Arguments of each trigger method the app calls. */
export type TriggerArgsOf = {
  create: ScheduledTriggerArgs | LinkTriggerArgs;
  update: (ScheduledTriggerArgs | LinkTriggerArgs) & { trigger_id: string };
  delete: { trigger_id: string };
  list: { limit?: number; cursor?: string };
};

/** Arguments of a trigger call. */
export type TriggerArgs = TriggerArgsOf[TriggerMethod];

/** A trigger as Slack describes it in an answer. */
export type TriggerInfo = {
  id: string;
  name?: string;
  shortcut_url?: string;
  workflow?: { callback_id?: string };
};

/** Slack's answer to a trigger call (or the app's word for no answer). */
export type TriggerAnswer = {
  ok: boolean;
  error?: string;
  /** The trigger created or updated. */
  trigger?: TriggerInfo;
  /** A page of `list`. */
  triggers?: unknown[];
  response_metadata?: { next_cursor?: string };
};
