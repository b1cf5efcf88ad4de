/**
 * From a decided record to a finished one: an approved record is granted
 * (or handed on), then everyone is told while its timed events are set up.
 * Every step is written on the record, so a later event (a re-delivery,
 * the resume event, the periodic check) finishes a job a function left
 * halfway.
 *
 * @module
 */
import {
  hasScheduled,
  recordTarget,
  type RequestRecord,
  requireExpiry,
  scheduleOf,
  startsLater,
  type TypedRecord,
  withEvent,
  withNotified,
  withSchedule,
} from "../requests/mod.ts";
import { noticeMessage } from "../blocks/mod.ts";
import {
  cancelEvents,
  ensureReconcileSchedule,
  GrantDeferred,
  grantEvents,
  type ResolvedRequest,
  scheduleEvents,
  writeApprovedExtension,
  writeApprovedGrant,
} from "../grants/mod.ts";
import { errorText } from "../text.ts";
import { type MessageRef, post, update } from "../slack/mod.ts";
import { announceOutcome } from "./announce.ts";
import type { DecisionContext, StepResult } from "./context.ts";
import { outcomeOf, promptRefsOf, resultOf, summaryOf } from "./describe.ts";
import { deferGrant } from "./defer.ts";
import { resolveRecord } from "./resolve.ts";
import { scheduleStart } from "./scheduled_start.ts";
import { undeliveredNoticesText } from "./sentences.ts";

/**
 * From an approved or decided record to a notified one. An approved record
 * is granted first: if Tailscale already holds the attribute with the planned
 * expiry (the earlier run wrote it, then died), nothing is written again.
 */
export async function carryOut(
  ctx: DecisionContext,
  record: RequestRecord,
  r: ResolvedRequest,
  prompt: MessageRef | undefined,
  resumed: boolean,
): Promise<RequestRecord> {
  let current = record;
  // Approved before its start: it waits for its start trigger.
  if (current.state === "approved" && startsLater(current, new Date())) {
    return await scheduleStart(ctx, current, r, prompt);
  }
  if (current.state === "approved") {
    try {
      current = current.extends
        ? await writeApprovedExtension(ctx, current, r, resumed)
        : await writeApprovedGrant(ctx, current, r, resumed);
    } catch (e) {
      if (!(e instanceof GrantDeferred)) throw e;
      current = await deferGrant(ctx, e, r, prompt);
      // Handed on: the resume event finishes it and tells everyone.
      if (current.state === "approved") return current;
    }
    await ctx.store.put(current);
  }
  if (current.notified) return current;
  return await tellEveryone(ctx, current, r, prompt);
}

/**
 * Tells everyone how a decided record ended, sets up its timed events, and
 * marks it notified.
 */
async function tellEveryone(
  ctx: DecisionContext,
  record: RequestRecord,
  r: ResolvedRequest,
  prompt: MessageRef | undefined,
): Promise<RequestRecord> {
  const summary = summaryOf(record, r);
  const refs = promptRefsOf(record, prompt);
  // The grant stands: tell everyone while its timed events are set up (the
  // record says what was scheduled, so a resumed run finishes either).
  const [failures, schedule] = await Promise.all([
    announceOutcome(ctx.client, summary, outcomeOf(record), refs),
    settleSchedule(ctx, record),
  ]);
  let current = withSchedule(record, schedule);
  if (failures.length) {
    // The grant stands; say what could not be delivered to whoever can hear.
    const note = undeliveredNoticesText(failures);
    await post(ctx.client, current.requester, noticeMessage(note));
    if (current.approver !== current.requester) {
      await post(ctx.client, current.approver, noticeMessage(note));
    }
  }
  current = withNotified(current, failures, new Date());
  await ctx.store.put(current);
  return current;
}

/** The timed events of a pending request, deleted once it is decided. */
const PENDING_EVENTS = ["nudge", "escalate", "timeout"] as const;

/**
 * A decided record's timed events: the pending request's nudges,
 * escalation and timeout go; a new grant gets its reminder and expiry (once: a resumed run finds
 * them on the record); a group grant makes sure of the periodic check.
 * Returns the record's schedule entries.
 */
async function settleSchedule(
  ctx: DecisionContext,
  record: RequestRecord,
): Promise<string[]> {
  let entries = scheduleOf(record);
  if (hasScheduled(entries, PENDING_EVENTS)) {
    entries = await cancelEvents(
      ctx.client,
      entries,
      PENDING_EVENTS,
      ctx.deadline,
    );
  }
  const fresh = record.state === "granted" && !record.extends &&
    !hasScheduled(entries, ["expiry"]);
  if (!fresh) return entries;
  if (recordTarget(record).kind === "group") {
    // Removal must not hang on one trigger alone.
    await ensureReconcileSchedule(ctx.client, new Date(), ctx.deadline);
  }
  // Tell the requester before it ends, and when it has (and, for a group,
  // take the login out of it). An expiry that cannot be scheduled makes
  // sure of the periodic check, which ends it instead.
  return [
    ...entries,
    ...await scheduleEvents(
      ctx.client,
      record.id,
      grantEvents(requireExpiry(record)),
      new Date(),
      ctx.deadline,
    ),
  ];
}

/** Finishes a record that is already decided, without deciding again. */
export async function finishDecided(
  ctx: DecisionContext,
  record: TypedRecord,
  prompt?: MessageRef,
): Promise<StepResult> {
  if (record.state === "pending") return { completed: false };
  if (record.notified) return resultOf(outcomeOf(record));
  const resolved = await resolveRecord(ctx, record);
  if (!resolved.ok) {
    return await endUnresolvable(ctx, record, resolved.message, prompt);
  }
  const done = await carryOut(ctx, record, resolved.value, prompt, true);
  return resultOf(outcomeOf(done));
}

/**
 * Finishes a decision that was handed on (its handler ran out of time): the
 * resume event a minute later, and the periodic check. Does nothing unless
 * the record is still approved and not yet told.
 *
 * @example
 * ```ts
 * // The "resume" lifecycle event, a minute after a grant was handed on:
 * const record = await ctx.store.get(requestId);
 * if (record) await resumeDecision(ctx, record);
 * ```
 */
export async function resumeDecision(
  ctx: DecisionContext,
  record: TypedRecord,
): Promise<StepResult> {
  if (record.state !== "approved" || record.notified) {
    return resultOf(outcomeOf(record));
  }
  return await finishDecided(ctx, record);
}

/** Ends a request that cannot go ahead: record, requester, then the step. */
export async function endUnresolvable(
  ctx: DecisionContext,
  record: RequestRecord,
  message: string,
  prompt?: MessageRef,
): Promise<StepResult> {
  try {
    await ctx.store.put(
      withEvent(
        { ...record, state: "failed", error: message, notified: true },
        "failed",
        "app",
        new Date(),
        message,
      ),
    );
  } catch (e) {
    console.error(`request ${record.id}: ${errorText(e)}`);
  }
  await Promise.all(
    promptRefsOf(record, prompt).map((ref) =>
      update(ctx.client, ref, noticeMessage(message))
    ),
  );
  await post(ctx.client, record.requester, noticeMessage(message));
  return { error: message };
}
