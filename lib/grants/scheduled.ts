/**
 * What happens to a request after its decision, or instead of one, when one
 * of its scheduled triggers runs: the reminder before a grant ends, its
 * expiry, the pending request's nudges, escalation and timeout, resuming
 * a decision that ran out of time, and the start of access approved to
 * start later.
 *
 * Every event reads the record first and trusts its own fields (state,
 * expires_at) over the trigger that woke it: a grant may have been extended
 * or revoked since the trigger was made, and Slack may run one late.
 *
 * @module
 */
import { nudgeMessage, reminderMessage } from "../blocks/mod.ts";
import { findProfile, type Profile } from "../config_schema.ts";
import { WORKFLOWS } from "../context.ts";
import { formatDuration } from "../durations.ts";
import {
  decisionTimeoutSeconds,
  requireExpiry,
  type TypedRecord,
  withEvent,
} from "../requests/mod.ts";
import {
  type DecisionContext,
  escalate,
  resumeDecision,
  startScheduled,
} from "../review/mod.ts";
import { post } from "../slack/mod.ts";
import { errorText } from "../text.ts";
import { factsOf } from "./ending.ts";
import { expireGrant } from "./expire.ts";
import { extensionRoom, isActiveGrant } from "./extension.ts";
import { endPending } from "./pending.ts";
import {
  approverReminderTimes,
  type LifecycleEvent,
  REMINDER_BEFORE_MS,
  triggersOf,
} from "./schedule.ts";

/**
 * Runs one scheduled event for a request; quietly does nothing if moot.
 *
 * @example
 * ```ts
 * // What the lifecycle_event function does when a trigger runs:
 * await handleScheduled(decisionContext(client, env, config), requestId, "expiry");
 * ```
 */
export async function handleScheduled(
  ctx: DecisionContext,
  requestId: string,
  event: LifecycleEvent,
  now = new Date(),
): Promise<void> {
  const record = await ctx.store.get(requestId);
  if (!record) return;
  const profile = findProfile(ctx.config, record.attribute);
  if (!profile) {
    console.warn(`request ${record.id}: profile ${record.attribute} is gone`);
  }
  switch (event) {
    case "reminder":
      if (profile) await remind(ctx, record, profile, now);
      return;
    case "expiry":
      await expireGrant(ctx, record, profile, now);
      return;
    case "timeout":
      await timeOut(ctx, record, profile, now);
      return;
    case "nudge":
      if (profile) await nudge(ctx, record, profile, now);
      return;
    case "resume":
      await resumeDecision(ctx, record);
      return;
    case "start":
      await startScheduled(ctx, record, now);
      return;
    case "escalate":
      if (profile) await escalate(ctx, record, profile, now);
      return;
  }
}

async function remind(
  ctx: DecisionContext,
  record: TypedRecord,
  profile: Profile,
  now: Date,
): Promise<void> {
  if (!isActiveGrant(record, now)) return;
  const left = requireExpiry(record).getTime() - now.getTime();
  // Extended since this reminder was planned: a newer one will come.
  if (left > REMINDER_BEFORE_MS + 60_000) return;
  // Slack delivered this event before: the reminder for this end was sent.
  if (happened(record, "reminded", record.expires_at)) return;
  const sent = await post(
    ctx.client,
    record.requester,
    reminderMessage(
      factsOf(record, profile),
      await extendOffer(ctx, record, profile),
    ),
  );
  if (!sent.ok) console.error(`reminder for ${record.id}: ${sent.error}`);
  else await mark(ctx, record, "reminded", now, record.expires_at);
}

/**
 * What the reminder offers: an Extend button to the "My Tailscale access"
 * shortcut, or why it cannot be extended (or how to, without the link).
 */
async function extendOffer(
  ctx: DecisionContext,
  record: TypedRecord,
  profile: Profile,
): Promise<{ url: string; grantId: string } | { cannot: string }> {
  if (extensionRoom(record, profile) < 60) {
    return {
      cannot: `It cannot be extended: ${profile.description} allows at most ${
        formatDuration(profile.maxExtendedSeconds)
      } in all.`,
    };
  }
  const url = await myAccessUrl(ctx);
  return url ? { url, grantId: record.id } : {
    cannot:
      "To extend it, open the “My Tailscale access” shortcut and choose Extend.",
  };
}

/** Whether the record's history has `event` with this note. */
function happened(
  record: TypedRecord,
  event: string,
  note: string | undefined,
): boolean {
  return record.history.some((h) => h.event === event && h.note === note);
}

/**
 * Notes on the record that a one-time message went out, so a second
 * delivery of the same event does not send it again. Reads the record
 * first: the event may have changed it since.
 */
async function mark(
  ctx: DecisionContext,
  record: TypedRecord,
  event: string,
  now: Date,
  note: string | undefined,
): Promise<void> {
  try {
    const current = await ctx.store.get(record.id) ?? record;
    await ctx.store.put(withEvent(current, event, "app", now, note));
  } catch (e) {
    console.error(`request ${record.id}: ${errorText(e)}`);
  }
}

/** The URL of the "My Tailscale access" link trigger, if it exists. */
async function myAccessUrl(ctx: DecisionContext): Promise<string | null> {
  const triggers = await triggersOf(
    ctx.client,
    WORKFLOWS.myAccess,
    ctx.deadline,
  );
  return triggers?.find((t) => t.shortcut_url)?.shortcut_url ?? null;
}

async function nudge(
  ctx: DecisionContext,
  record: TypedRecord,
  profile: Profile,
  now: Date,
): Promise<void> {
  if (record.state !== "pending") return;
  const timeout = decisionTimeoutSeconds(record, profile.requestTimeoutSeconds);
  const deadline = new Date(Date.parse(record.created_at) + timeout * 1000);
  if (deadline <= now) return;
  // One nudge per planned time that has come (a re-delivery sends none).
  const due = approverReminderTimes(
    new Date(record.created_at),
    timeout,
    profile.escalateAfterSeconds,
  ).filter((at) => at.getTime() <= now.getTime() + 1000).length;
  const sent = record.history.filter((h) => h.event === "nudged").length;
  if (sent >= due) return;
  const res = await ctx.client.chat.postMessage({
    channel: record.prompt_channel ?? record.approver,
    ...(record.prompt_ts ? { thread_ts: record.prompt_ts } : {}),
    ...nudgeMessage(record.requester, profile, deadline),
  });
  if (!res.ok) console.error(`nudge for ${record.id}: ${res.error}`);
  else await mark(ctx, record, "nudged", now, undefined);
}

async function timeOut(
  ctx: DecisionContext,
  record: TypedRecord,
  profile: Profile | undefined,
  now: Date,
): Promise<void> {
  if (record.state !== "pending") return;
  const timeout = decisionTimeoutSeconds(
    record,
    profile?.requestTimeoutSeconds ?? 0,
  ) * 1000;
  if (now.getTime() < Date.parse(record.created_at) + timeout - 1000) return;
  await endPending(ctx, record, profile, "expired", "app", now);
}
