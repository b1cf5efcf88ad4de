/**
 * Timed events of a request, as one-off scheduled triggers that run the
 * `grant_lifecycle` workflow: the expiry notice and the reminder before it,
 * the pending request's timeout, the approver's nudges (halfway, or backing
 * off on a profile that escalates) and its escalation to other approvers.
 *
 * A trigger only says "look at request X now": the handler always checks the
 * record's own fields, since a grant may have been extended or revoked, and
 * Slack may run a trigger late.
 *
 * Start times: Slack refuses a `start_time` that is not in the future
 * (`invalid_start_before_now`), and its own examples start 60 s after
 * creation. So every trigger starts at least {@linkcode MIN_START_LEAD_MS}
 * after the moment its call is sent: an event planned sooner is moved to
 * then, unless it would be moot by then (see {@linkcode Planned.latest}).
 * Every call goes through `trigger_calls.ts` (retried, spaced, within a
 * deadline).
 *
 * @module
 */
import {
  Deadline,
  elapsedClock,
  type TriggerArgs,
  triggerCall,
} from "../slack/mod.ts";
import {
  parseScheduleEntry,
  SCHEDULED_EVENTS,
  type ScheduledEventKind,
  scheduleEntry,
} from "../requests/mod.ts";
import { ensureReconcileSchedule } from "./reconcile_schedule.ts";
import { type SlackClient, WORKFLOWS } from "../context.ts";

export { type ListedTrigger, triggersOf } from "../slack/mod.ts";

/**
 * What a scheduled trigger asks the app to look at: `resume` finishes a
 * decision its own handler could not finish within Slack's time limit. The
 * same list as the events a record stores in its `schedule`
 * (`SCHEDULED_EVENTS`, defined with the record).
 */
export const LIFECYCLE_EVENTS = SCHEDULED_EVENTS;
/** One of {@linkcode LIFECYCLE_EVENTS}. */
export type LifecycleEvent = ScheduledEventKind;

/** How long before the end of a grant the requester is reminded. */
export const REMINDER_BEFORE_MS = 15 * 60_000;

/**
 * A scheduled trigger starts at least this long after its call is sent
 * (Slack's examples use now + 60 s; it refuses a start in the past).
 */
export const MIN_START_LEAD_MS = 60_000;
/** Added to the lead for the call's own way to Slack. */
const SEND_MARGIN_MS = 1_000;

/** An event to schedule for a request. */
export type Planned = {
  event: LifecycleEvent;
  at: Date;
  /**
   * For an event that is moot once this time has come (a reminder after
   * the grant's end, a nudge after the timeout): it is skipped when its
   * own time has already passed, and moved to now + 60 s only if that is
   * still before `latest`. Events without it (expiry, timeout, resume) are
   * never skipped: they run at `at`, or 60 s from now if that is later.
   */
  latest?: Date;
};

/**
 * When a planned event's trigger should start, given the current time;
 * null when it is better skipped.
 */
export function startFor(p: Planned, nowMs: number): Date | null {
  const earliest = nowMs + MIN_START_LEAD_MS + SEND_MARGIN_MS;
  const at = p.at.getTime();
  if (at >= earliest) return p.at;
  if (p.latest) {
    // A moment that has passed (a grant shorter than the reminder's lead)
    // is not made up for; one that is only too close is moved.
    if (at <= nowMs || earliest >= p.latest.getTime()) return null;
  }
  return new Date(earliest);
}

/**
 * Schedules the planned events; returns the entries to keep on the record
 * ("event:trigger_id"). Failures are logged and skipped: a missing notice
 * must not undo a grant. When an expiry could not be scheduled, the
 * reconciliation schedule is made sure of, so the periodic check ends the
 * grant instead.
 */
export async function scheduleEvents(
  client: SlackClient,
  requestId: string,
  planned: readonly Planned[],
  now = new Date(),
  deadline: Deadline = Deadline.forHandler("function"),
): Promise<string[]> {
  const entries: string[] = [];
  const clock = elapsedClock(now);
  let expiryLost = false;
  for (const p of planned) {
    const { event } = p;
    if (!startFor(p, clock())) {
      console.log(`request ${requestId}: no ${event}: too late to be of use`);
      continue;
    }
    const res = await triggerCall(client, "create", () => {
      // Reckoned again for each attempt: a retry may come seconds later.
      const at = new Date(
        Math.max(p.at.getTime(), clock() + MIN_START_LEAD_MS + SEND_MARGIN_MS),
      );
      return {
        type: "scheduled",
        name: `Tailscale access ${event} (${requestId.slice(0, 8)})`,
        workflow: `#/workflows/${WORKFLOWS.lifecycle}`,
        inputs: {
          request_id: { value: requestId },
          event: { value: event },
        },
        schedule: {
          start_time: at.toISOString(),
          frequency: { type: "once" },
        },
      } satisfies TriggerArgs;
    }, deadline);
    const triggerId = res.ok ? res.trigger?.id : undefined;
    if (triggerId) {
      entries.push(scheduleEntry({ event, triggerId }));
    } else {
      console.error(
        `scheduling ${event} failed: ${
          res.error ?? "no trigger in the answer"
        }`,
      );
      if (event === "expiry") expiryLost = true;
    }
  }
  if (expiryLost) {
    // The grant's own end is lost: the periodic check must end it.
    await ensureReconcileSchedule(client, new Date(clock()), deadline);
  }
  return entries;
}

/**
 * Deletes the scheduled triggers of the given events (all when omitted);
 * returns the entries that remain. A trigger that already ran or is gone
 * counts as deleted.
 */
export async function cancelEvents(
  client: SlackClient,
  entries: readonly string[],
  events?: readonly LifecycleEvent[],
  deadline: Deadline = Deadline.forHandler("function"),
): Promise<string[]> {
  const keep: string[] = [];
  for (const entry of entries) {
    const scheduled = parseScheduleEntry(entry);
    if (events && !(scheduled && events.includes(scheduled.event))) {
      keep.push(entry);
      continue;
    }
    // An entry the app never writes (no known event, or no trigger ID)
    // names nothing to delete: it is dropped with the rest.
    if (!scheduled) continue;
    const res = await triggerCall(
      client,
      "delete",
      { trigger_id: scheduled.triggerId },
      deadline,
    );
    if (!res.ok && res.error !== "trigger_not_found") {
      // Left behind, it runs once and finds nothing to do.
      console.error(
        `deleting the ${scheduled.event} trigger failed: ${res.error}`,
      );
    }
  }
  return keep;
}

/** The reminder and expiry of a grant that ends at `expiresAt`. */
export function grantEvents(expiresAt: Date): Planned[] {
  return [
    {
      event: "reminder",
      at: new Date(expiresAt.getTime() - REMINDER_BEFORE_MS),
      latest: expiresAt,
    },
    { event: "expiry", at: expiresAt },
  ];
}

/**
 * After how long an escalating profile reminds its approver again: each
 * reminder waits longer than the one before (never after the timeout).
 */
export const APPROVER_REMINDERS_AFTER_MS = [
  15 * 60_000,
  60 * 60_000,
  4 * 60 * 60_000,
] as const;

/**
 * When the approver of a pending request is reminded: halfway to the
 * timeout, or, on a profile that escalates (`escalateAfterSeconds`), at
 * {@linkcode APPROVER_REMINDERS_AFTER_MS} (backing off), those before the
 * timeout.
 *
 * @example
 * ```ts
 * approverReminderTimes(created, 4 * 3600); // [created + 2 h]
 * approverReminderTimes(created, 2 * 3600, 1800); // [+15 min, +1 h]
 * ```
 */
export function approverReminderTimes(
  createdAt: Date,
  timeoutSeconds: number,
  escalateAfterSeconds?: number,
): Date[] {
  const ms = timeoutSeconds * 1000;
  const after = escalateAfterSeconds === undefined
    ? [ms / 2]
    : APPROVER_REMINDERS_AFTER_MS.filter((t) => t < ms);
  return after.map((t) => new Date(createdAt.getTime() + t));
}

/**
 * A pending request's events: the approver's reminders (see
 * {@linkcode approverReminderTimes}), its escalation when the profile sets
 * `escalateAfterSeconds`, and its timeout.
 */
export function pendingEvents(
  createdAt: Date,
  timeoutSeconds: number,
  escalateAfterSeconds?: number,
): Planned[] {
  const timeout = new Date(createdAt.getTime() + timeoutSeconds * 1000);
  const reminders = approverReminderTimes(
    createdAt,
    timeoutSeconds,
    escalateAfterSeconds,
  ).map((at): Planned => ({ event: "nudge", at, latest: timeout }));
  const escalation: Planned[] = escalateAfterSeconds === undefined ? [] : [{
    event: "escalate",
    at: new Date(createdAt.getTime() + escalateAfterSeconds * 1000),
    latest: timeout,
  }];
  return [...reminders, ...escalation, { event: "timeout", at: timeout }];
}
