/**
 * What happens to a request after its decision, or instead of one: the
 * reminder and the notice when a grant ends, the pending request's timeout
 * and nudge, cancelling, and revoking.
 *
 * Every event reads the record first and trusts its own fields (state,
 * expires_at) over the trigger that woke it: a grant may have been extended
 * or revoked since the trigger was made, and Slack may run one late.
 *
 * @module
 */
import {
  type AttributeOutcome,
  grantEndedMessage,
  type GrantFacts,
  type MembershipEnd,
  membershipSentence,
  noticeMessage,
  nudgeMessage,
  reminderMessage,
  slackDate,
} from "../blocks/mod.ts";
import { escapeMrkdwn } from "../devices/mod.ts";
import { endMembership } from "./group_grants.ts";
import { endAttributeGrant, removeAttribute } from "./attribute_grants.ts";
import { type Config, findProfile, type Profile } from "../config_schema.ts";
import {
  announceOutcome,
  type DecisionContext,
  describeRecord,
  outcomeOf,
  promptOf,
  resumeDecision,
} from "../review/mod.ts";
import { formatDuration } from "../durations.ts";
import { errorText } from "../text.ts";
import { post } from "../slack/mod.ts";
import {
  claimDecision,
  DEFAULT_SETTLE_MS,
  groupOf,
  type RequestRecord,
  targetOf,
  withEvent,
  withNotified,
} from "../requests/mod.ts";
import {
  cancelEvents,
  type LifecycleEvent,
  REMINDER_BEFORE_MS,
  triggersOf,
} from "./schedule.ts";
import { tailscaleFromEnv } from "../tailscale/mod.ts";
import { WORKFLOWS } from "../context.ts";

/** Runs one scheduled event for a request; quietly does nothing if moot. */
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
  }
}

/** Whether a record is a live grant (not an extension's own record). */
export function isActiveGrant(record: RequestRecord, now: Date): boolean {
  return record.state === "granted" && !record.extends &&
    Date.parse(record.expires_at ?? "") > now.getTime();
}

function factsOf(record: RequestRecord, profile: Profile): GrantFacts {
  return {
    requesterId: record.requester,
    approverId: record.approver,
    profile,
    target: targetOf(record),
    expiresAt: new Date(record.expires_at ?? 0),
  };
}

/**
 * How much longer the grant may run in all (from its first grant, within
 * `maxExtendedSeconds`), in seconds; 0 when it cannot be extended.
 */
export function extensionRoom(
  record: RequestRecord,
  profile: Profile,
): number {
  const start = Date.parse(record.granted_at ?? record.created_at);
  const limit = start + profile.maxExtendedSeconds * 1000;
  const end = Date.parse(record.expires_at ?? "");
  return Math.max(0, Math.floor((limit - end) / 1000));
}

async function remind(
  ctx: DecisionContext,
  record: RequestRecord,
  profile: Profile,
  now: Date,
): Promise<void> {
  if (!isActiveGrant(record, now)) return;
  const left = Date.parse(record.expires_at!) - now.getTime();
  // Extended since this reminder was planned: a newer one will come.
  if (left > REMINDER_BEFORE_MS + 60_000) return;
  // Slack delivered this event before: the reminder for this end was sent.
  if (happened(record, "reminded", record.expires_at)) return;
  const room = extensionRoom(record, profile);
  let extend: { url: string; grantId: string } | { cannot: string };
  if (room < 60) {
    extend = {
      cannot: `It cannot be extended: ${profile.description} allows at most ${
        formatDuration(profile.maxExtendedSeconds)
      } in all.`,
    };
  } else {
    const url = await myAccessUrl(ctx);
    extend = url ? { url, grantId: record.id } : {
      cannot:
        "To extend it, open the “My Tailscale access” shortcut and choose Extend.",
    };
  }
  const sent = await post(
    ctx.client,
    record.requester,
    reminderMessage(factsOf(record, profile), extend),
  );
  if (!sent.ok) console.error(`reminder for ${record.id}: ${sent.error}`);
  else await mark(ctx, record, "reminded", now, record.expires_at);
}

/** Whether the record's history has `event` with this note. */
function happened(
  record: RequestRecord,
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
  record: RequestRecord,
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

/** What ending a grant at its expiry did. */
export type ExpireResult =
  /** Not a live grant, or not due (extended since). */
  | { kind: "not_due" }
  | { kind: "expired"; record: RequestRecord; membership?: MembershipEnd }
  /** A group membership could not be removed; the grant stays open. */
  | { kind: "removal_failed"; error: string };

/**
 * Ends a grant whose time is up: for a group grant, takes the login out of
 * the group first (the grant stays open, to be tried again by the next
 * reconciliation, if that fails); for an attribute, checks that Tailscale
 * removed it. Then records it and tells the requester and the channel.
 */
export async function expireGrant(
  ctx: DecisionContext,
  record: RequestRecord,
  profile: Profile | undefined,
  now: Date,
): Promise<ExpireResult> {
  if (record.state !== "granted" || record.extends) return { kind: "not_due" };
  const end = Date.parse(record.expires_at ?? "");
  // Extended since this trigger was made: the new one will come.
  if (now.getTime() < end - 1000) return { kind: "not_due" };
  let current = record;
  let attribute: AttributeOutcome | undefined;
  let membership: MembershipEnd | undefined;
  const built = tailscaleFromEnv(ctx.env, ctx.client, ctx.deadline);
  if (groupOf(record)) {
    try {
      ({ record: current, end: membership } = await endMembership(
        ctx,
        record,
        now,
      ));
    } catch (e) {
      const error = errorText(e);
      await removalFailed(ctx, record, profile, error, now);
      return { kind: "removal_failed", error };
    }
  } else {
    // Tailscale drops an expired attribute only within minutes: the app
    // removes its own now, so access ends when the notice says it does.
    try {
      if (!built.ok) throw new Error(`${built.missing.join(" and ")} not set`);
      attribute = await endAttributeGrant(built.tailscale, record, now);
    } catch (e) {
      attribute = { kind: "unconfirmed", error: errorText(e) };
      console.error(
        `request ${record.id}: ending the attribute: ${errorText(e)}`,
      );
    }
  }
  const schedule = await cancelEvents(
    ctx.client,
    current.schedule ?? [],
    undefined,
    ctx.deadline,
  );
  const ended = withEvent(
    { ...current, state: "expired", ended_at: now.toISOString(), schedule },
    "expired",
    "app",
    now,
    attribute && attributeNote(attribute),
  );
  await ctx.store.put(ended);
  if (profile) {
    const message = grantEndedMessage(factsOf(record, profile), {
      kind: "expired",
      ...(attribute ? { attribute } : {}),
      ...(membership ? { membership } : {}),
    });
    await post(ctx.client, record.requester, message);
    if (profile.notifyChannel) {
      await post(ctx.client, profile.notifyChannel, message);
    }
  }
  return {
    kind: "expired",
    record: ended,
    ...(membership ? { membership } : {}),
  };
}

/**
 * A membership that should have come off did not: the record keeps it (so
 * reconciliation tries again) and the channel hears once, not every retry.
 */
async function removalFailed(
  ctx: DecisionContext,
  record: RequestRecord,
  profile: Profile | undefined,
  error: string,
  now: Date,
): Promise<void> {
  console.error(`request ${record.id}: removing the membership: ${error}`);
  const first = record.history.at(-1)?.event !== "removal_failed";
  await ctx.store.put(
    withEvent(record, "removal_failed", "app", now, error),
  );
  if (first && profile?.notifyChannel) {
    await post(
      ctx.client,
      profile.notifyChannel,
      noticeMessage(
        `:warning: <@${record.requester}>'s access to *${
          escapeMrkdwn(profile.description)
        }* has ended, but \`${record.login}\` could not be removed from \`${record.attribute}\`: ${
          escapeMrkdwn(error)
        } The app tries again every 15 minutes.`,
      ),
    );
  }
}

async function nudge(
  ctx: DecisionContext,
  record: RequestRecord,
  profile: Profile,
  now: Date,
): Promise<void> {
  if (record.state !== "pending") return;
  const deadline = new Date(
    Date.parse(record.created_at) + profile.requestTimeoutSeconds * 1000,
  );
  if (deadline <= now) return;
  if (happened(record, "nudged", undefined)) return;
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
  record: RequestRecord,
  profile: Profile | undefined,
  now: Date,
): Promise<void> {
  if (record.state !== "pending") return;
  const timeout = (profile?.requestTimeoutSeconds ?? 0) * 1000;
  if (now.getTime() < Date.parse(record.created_at) + timeout - 1000) return;
  await endPending(ctx, record, profile, "expired", "app", now);
}

/**
 * Ends a pending request without a decision (it expired, or the requester
 * cancelled it): one claim, so a click at the same moment cannot also
 * decide; then the approver's message and the requester. Returns the
 * record as it ended up, won or not.
 */
export async function endPending(
  ctx: DecisionContext,
  record: RequestRecord,
  profile: Profile | undefined,
  state: "expired" | "cancelled",
  actor: string,
  now = new Date(),
): Promise<{ won: boolean; record: RequestRecord }> {
  const claim = await claimDecision(ctx.store, record, {
    state,
    actor,
    now,
  }, ctx.settleMs ?? DEFAULT_SETTLE_MS);
  if (!claim.won) return claim;
  let current: RequestRecord = {
    ...claim.record,
    schedule: await cancelEvents(
      ctx.client,
      claim.record.schedule ?? [],
      undefined,
      ctx.deadline,
    ),
  };
  if (profile) {
    const failures = await announceOutcome(
      ctx.client,
      await describeRecord(ctx, current, profile),
      outcomeOf(current),
      promptOf(current),
    );
    current = withNotified(current, failures, new Date());
  }
  // No step waits on a pending request (decisions run in their own
  // workflow), so there is nothing to complete.
  await ctx.store.put(current);
  return { won: true, record: current };
}

/** What revoking did, in a sentence for the person who asked. */
export type RevokeResult = { ok: true; text: string } | {
  ok: false;
  text: string;
};

/**
 * Ends a grant now: deletes the attribute in Tailscale first (nothing is
 * claimed unless that worked), then records who and why, and tells the
 * requester, the approver and the notify channel.
 */
export async function revokeGrant(
  ctx: DecisionContext,
  record: RequestRecord,
  actor: string,
  reason: string | undefined,
  now = new Date(),
): Promise<RevokeResult> {
  if (!isActiveGrant(record, now)) {
    return { ok: false, text: "This access has already ended." };
  }
  const built = tailscaleFromEnv(ctx.env, ctx.client, ctx.deadline);
  if (!built.ok) {
    return {
      ok: false,
      text: `The app is not connected to Tailscale (${
        built.missing.join(" and ")
      } not set), so nothing was revoked.`,
    };
  }
  let current = record;
  let membership: MembershipEnd | undefined;
  let attribute: AttributeOutcome | undefined;
  const group = groupOf(record);
  try {
    if (group) {
      ({ record: current, end: membership } = await endMembership(
        ctx,
        record,
        now,
      ));
    } else {
      attribute = {
        kind: await removeAttribute(
          built.tailscale,
          record.device_id,
          record.attribute,
        ),
      };
    }
  } catch (e) {
    return {
      ok: false,
      text: group
        ? `Tailscale did not accept the policy-file change (${
          errorText(e)
        }), so \`${record.login}\` is still in \`${group}\` and the access is still active. Try again.`
        : `Tailscale did not remove the attribute (${
          errorText(e)
        }), so the access is still active. Try again.`,
    };
  }
  const schedule = await cancelEvents(
    ctx.client,
    current.schedule ?? [],
    undefined,
    ctx.deadline,
  );
  const ended = withEvent(
    {
      ...current,
      state: "revoked",
      ended_by: actor,
      ended_at: now.toISOString(),
      ...(reason ? { end_reason: reason } : {}),
      schedule,
    },
    "revoked",
    actor,
    now,
    [reason, attribute && attributeNote(attribute)].filter(Boolean).join(
      "; ",
    ) ||
      undefined,
  );
  await ctx.store.put(ended);
  const profile = findProfile(ctx.config, record.attribute);
  if (profile) {
    const message = grantEndedMessage(factsOf(record, profile), {
      kind: "revoked",
      by: actor,
      ...(reason ? { reason } : {}),
      ...(membership ? { membership } : {}),
      ...(attribute ? { attribute } : {}),
    });
    const targets = new Set([record.requester, record.approver]);
    if (profile.notifyChannel) targets.add(profile.notifyChannel);
    await Promise.all([...targets].map((t) => post(ctx.client, t, message)));
  }
  return { ok: true, text: revokedText(record, membership, attribute, now) };
}

/** A history note for what became of the attribute, if worth one. */
function attributeNote(end: AttributeOutcome): string | undefined {
  switch (end.kind) {
    case "removed":
      return "attribute removed";
    case "already_gone":
      return undefined;
    case "device_gone":
      return "the device was removed from the tailnet";
    case "changed":
      return `Tailscale still has the attribute ${
        end.until ? `until ${end.until.toISOString()}` : "with no end"
      } (changed outside the app)`;
    case "unconfirmed":
      return `could not remove the attribute: ${end.error}`;
  }
}

function revokedText(
  record: RequestRecord,
  membership: MembershipEnd | undefined,
  attribute: AttributeOutcome | undefined,
  now: Date,
): string {
  if (attribute?.kind === "device_gone") {
    return `Revoked ${
      slackDate(now)
    }: the device was removed from the tailnet, so it has no access left.`;
  }
  if (!membership) {
    return `Revoked: the attribute was removed from the device ${
      slackDate(now)
    }.`;
  }
  return `Revoked ${slackDate(now)}. ${
    membershipSentence(record.login ?? "", record.attribute, membership)
  }`;
}

/** Whether `email` is one of config.ts's admins. */
export function isAdmin(config: Config, email: string | undefined): boolean {
  return !!email && config.admins.includes(email.toLowerCase());
}
