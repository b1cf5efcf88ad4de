/**
 * Access that starts later, on the decision's side: an approval before the
 * request's start makes it `scheduled` (its `start` trigger made, everyone
 * told when it starts); at the start, the profile, the approver and the
 * device are checked again as at a click, and only then is the grant
 * written, ending at start + duration.
 *
 * @module
 */
import {
  CLAIM_LEASE_MS,
  DEFAULT_SETTLE_MS,
  hasScheduled,
  plannedEndOf,
  type RequestRecord,
  scheduleOf,
  startOf,
  type TypedRecord,
  withEvent,
  withNotified,
  withSchedule,
} from "../requests/mod.ts";
import {
  noticeMessage,
  scheduledApprovalMessage,
  type ScheduledFacts,
  scheduledRequesterMessage,
  startRefusedText,
} from "../blocks/mod.ts";
import { findProfile } from "../config_schema.ts";
import {
  cancelEvents,
  type ResolvedRequest,
  scheduleEvents,
} from "../grants/mod.ts";
import { type MessageRef, post, update } from "../slack/mod.ts";
import type { DecisionContext } from "./context.ts";
import { deciderProblem } from "./decide.ts";
import { promptOf, summaryOf } from "./describe.ts";
import { carryOut, endUnresolvable } from "./finish.ts";
import { resolveRecord } from "./resolve.ts";

/** The start trigger could not be made: nothing would ever grant it. */
function startNotScheduledText(): string {
  return "The approved access could not be scheduled to start later (Slack did not accept the timed trigger). Nothing was granted; request access again.";
}

/** When a scheduled record starts and ends, and who approved it. */
export function scheduledFacts(record: RequestRecord): ScheduledFacts {
  const startsAt = startOf(record) ?? new Date(record.created_at);
  return {
    startsAt,
    endsAt: plannedEndOf(record) ??
      new Date(startsAt.getTime() + record.duration_seconds * 1000),
    by: record.decided_by ?? record.approver,
  };
}

/**
 * An approved record whose start is later: its nudge and timeout go, its
 * `start` trigger is made, and the approver's prompt, the requester and
 * the notify channel are told when it starts. Returns it as `scheduled`
 * and notified (or failed, when the trigger could not be made).
 *
 * @example
 * ```ts
 * // In carryOut, for an approved record that starts later:
 * if (startsLater(record, new Date())) return await scheduleStart(ctx, record, r, prompt);
 * ```
 */
export async function scheduleStart(
  ctx: DecisionContext,
  record: RequestRecord,
  r: ResolvedRequest,
  prompt: MessageRef | undefined,
): Promise<RequestRecord> {
  const facts = scheduledFacts(record);
  let entries = await cancelEvents(
    ctx.client,
    scheduleOf(record),
    ["nudge", "timeout"],
    ctx.deadline,
  );
  if (!hasScheduled(entries, ["start"])) {
    entries = [
      ...entries,
      ...await scheduleEvents(
        ctx.client,
        record.id,
        [{ event: "start", at: facts.startsAt }],
        new Date(),
        ctx.deadline,
      ),
    ];
  }
  if (!hasScheduled(entries, ["start"])) {
    await endUnresolvable(ctx, record, startNotScheduledText(), prompt);
    return await ctx.store.get(record.id) ?? record;
  }
  let current = withEvent(
    withSchedule({ ...record, state: "scheduled" as const }, entries),
    "scheduled",
    "app",
    new Date(),
    `starts ${facts.startsAt.toISOString()}`,
  );
  await ctx.store.put(current);
  const failures = await tellScheduled(ctx, current, r, facts, prompt);
  current = withNotified(current, failures, new Date());
  await ctx.store.put(current);
  return current;
}

/** The approver's prompt, the requester and the notify channel. */
async function tellScheduled(
  ctx: DecisionContext,
  record: RequestRecord,
  r: ResolvedRequest,
  facts: ScheduledFacts,
  prompt: MessageRef | undefined,
): Promise<string[]> {
  const summary = summaryOf(record, r);
  const ref = prompt ?? promptOf(record);
  const failures: string[] = [];
  const note = (what: string) => (error: string | null | undefined) => {
    if (error) failures.push(`${what}: ${error}`);
  };
  const channel = r.profile.notifyChannel;
  const message = scheduledApprovalMessage(summary, facts);
  await Promise.all([
    ref ? update(ctx.client, ref, message).then(note("approver's message")) : 0,
    post(
      ctx.client,
      record.requester,
      scheduledRequesterMessage(summary, facts),
    )
      .then((res) => note("requester DM")(res.ok ? null : res.error)),
    channel
      ? post(ctx.client, channel, message).then((res) =>
        note(`notify channel ${channel}`)(res.ok ? null : res.error)
      )
      : 0,
  ]);
  return failures;
}

/**
 * The `start` event of a scheduled record: at its start (not before), the
 * approver, the profile and the device are checked again as at a click;
 * then one delivery claims it and the grant is written like any approval
 * (ending at start + duration), and everyone told. When a check fails,
 * nothing is granted and the requester and the approver are told why.
 * Moot for a record no longer scheduled (cancelled, revoked, started).
 *
 * @example
 * ```ts
 * // The "start" lifecycle event:
 * const record = await ctx.store.get(requestId);
 * if (record) await startScheduled(ctx, record);
 * ```
 */
export async function startScheduled(
  ctx: DecisionContext,
  record: TypedRecord,
  now = new Date(),
): Promise<void> {
  if (record.state !== "scheduled") return;
  const facts = scheduledFacts(record);
  if (now.getTime() < facts.startsAt.getTime()) return;
  const profile = findProfile(ctx.config, record.attribute);
  const [problem, resolved] = await Promise.all([
    profile ? deciderProblem(ctx, profile, record, facts.by) : null,
    resolveRecord(ctx, record),
  ]);
  const why = problem ?? (resolved.ok ? null : resolved.message);
  if (why || !resolved.ok) {
    const text = startRefusedText(
      record.requester,
      profile?.description ?? record.attribute,
      facts.startsAt,
      why ?? "",
    );
    await endUnresolvable(ctx, record, text, promptOf(record));
    if (facts.by !== record.requester) {
      await post(ctx.client, facts.by, noticeMessage(text));
    }
    return;
  }
  const claimed = await claimStart(ctx, record, now);
  if (claimed) {
    await carryOut(ctx, claimed, resolved.value, promptOf(claimed), false);
  }
}

/**
 * Makes the start happen once (Slack may deliver its trigger twice): the
 * record becomes `approved` again with a fresh token and a lease (so no
 * click or periodic check finishes it meanwhile), and the start entry
 * leaves its schedule; after the settle time, only the delivery whose
 * token stands goes on.
 */
async function claimStart(
  ctx: DecisionContext,
  record: TypedRecord,
  now: Date,
): Promise<TypedRecord | null> {
  const token = crypto.randomUUID();
  const entries = scheduleOf(record).filter((e) => !e.startsWith("start:"));
  await ctx.store.put(withEvent(
    withSchedule({
      ...record,
      state: "approved" as const,
      notified: false,
      claim_token: token,
      lease_until: new Date(now.getTime() + CLAIM_LEASE_MS).toISOString(),
    }, entries),
    "started",
    "app",
    now,
  ));
  await new Promise((r) => setTimeout(r, ctx.settleMs ?? DEFAULT_SETTLE_MS));
  const stored = await ctx.store.get(record.id);
  return stored?.claim_token === token && stored.state === "approved"
    ? stored
    : null;
}
