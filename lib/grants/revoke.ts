/**
 * Revoking a grant before its end, by the person who has it or by an admin
 * (who says why).
 *
 * @module
 */
import {
  type AttributeOutcome,
  grantEndedMessage,
  type MembershipEnd,
  membershipSentence,
  slackDate,
} from "../blocks/mod.ts";
import { findProfile } from "../config_schema.ts";
import { lookupPerson } from "../people/mod.ts";
import { isScheduledGrant, type TypedRecord } from "../requests/mod.ts";
import { type DecisionContext, tailscaleMissingText } from "../review/mod.ts";
import { post } from "../slack/mod.ts";
import { type TailscaleClient, tailscaleFromEnv } from "../tailscale/mod.ts";
import { errorText } from "../text.ts";
import { isAdmin } from "./admins.ts";
import { removeAttribute } from "./attribute_grants.ts";
import { attributeNote, closedRecord, factsOf } from "./ending.ts";
import { isActiveGrant } from "./extension.ts";
import { endMembership } from "./group_grants.ts";
import { endScheduled } from "./scheduled_grant.ts";

/** What ending a grant before its start did. */
export const SCHEDULED_ENDED_TEXT =
  "Ended before it started: nothing had been granted, and it will not start.";

/** What revoking did, in a sentence for the person who asked. */
export type RevokeResult = { ok: true; text: string } | {
  ok: false;
  text: string;
};

/** What taking the access away in Tailscale did. */
type Removed = {
  current: TypedRecord;
  membership?: MembershipEnd;
  attribute?: AttributeOutcome;
};

/**
 * Ends a grant now: deletes the attribute in Tailscale first (nothing is
 * claimed unless that worked), then records who and why, and tells the
 * requester, the approver and the notify channel.
 *
 * @example
 * ```ts
 * const result = await revokeGrant(ctx, record, adminId, "left the team");
 * console.log(result.ok ? result.text : `:warning: ${result.text}`);
 * ```
 */
export async function revokeGrant(
  ctx: DecisionContext,
  record: TypedRecord,
  actor: string,
  reason: string | undefined,
  now = new Date(),
): Promise<RevokeResult> {
  if (isScheduledGrant(record)) {
    // Not started: nothing is in Tailscale; its own requester cancels it.
    const mine = actor === record.requester;
    await endScheduled(
      ctx,
      record,
      actor,
      mine ? "cancelled" : "revoked",
      reason,
      now,
    );
    return { ok: true, text: SCHEDULED_ENDED_TEXT };
  }
  if (!isActiveGrant(record, now)) {
    return { ok: false, text: "This access has already ended." };
  }
  const built = tailscaleFromEnv(ctx.env, ctx.client, ctx.deadline);
  if (!built.ok) {
    return {
      ok: false,
      text: tailscaleMissingText(built.missing, "nothing was revoked"),
    };
  }
  let removed: Removed;
  try {
    removed = await removeAccess(ctx, built.tailscale, record, now);
  } catch (e) {
    return { ok: false, text: notRemovedText(record, e) };
  }
  const { current, membership, attribute } = removed;
  const ended = await closedRecord(
    ctx,
    current,
    {
      state: "revoked",
      ended_by: actor,
      ended_at: now.toISOString(),
      ...(reason ? { end_reason: reason } : {}),
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
  await tellRevoked(ctx, record, actor, reason, removed);
  return { ok: true, text: revokedText(record, membership, attribute, now) };
}

/**
 * An admin revokes someone else's grant (`grantId`, null when the form did
 * not say) from the revoke modal: only with a reason, which the requester
 * is told, and only as an admin, checked again here (the modal only helps).
 *
 * @example
 * ```ts
 * const result = await revokeWithReason(ctx, adminId, grantId, "left the team");
 * if (!result.ok) console.log(result.text); // shown on the form
 * ```
 */
export async function revokeWithReason(
  ctx: DecisionContext,
  actor: string,
  grantId: string | null,
  reason: string,
): Promise<RevokeResult> {
  if (!reason) return { ok: false, text: "Say why; the requester is told." };
  const person = await lookupPerson(ctx.client, actor);
  if (!isAdmin(ctx.config, person?.email)) {
    return {
      ok: false,
      text: "Only a tailnet admin can revoke someone else's access.",
    };
  }
  const record = grantId ? await ctx.store.get(grantId) : null;
  if (!record) return { ok: false, text: "That access no longer exists." };
  return await revokeGrant(ctx, record, actor, reason);
}

/**
 * Takes the access away in Tailscale: the login out of the group, or the
 * attribute off the device.
 *
 * @throws when Tailscale did not accept the change.
 */
async function removeAccess(
  ctx: DecisionContext,
  tailscale: TailscaleClient,
  record: TypedRecord,
  now: Date,
): Promise<Removed> {
  const { target } = record;
  if (target.kind === "group") {
    const { record: current, end } = await endMembership(ctx, record, now);
    return { current, membership: end };
  }
  const kind = await removeAttribute(
    tailscale,
    target.nodeId,
    target.attribute,
  );
  return { current: record, attribute: { kind } };
}

/** Why nothing was revoked, when Tailscale refused. */
function notRemovedText(record: TypedRecord, e: unknown): string {
  const { target } = record;
  return target.kind === "group"
    ? `Tailscale did not accept the policy-file change (${
      errorText(e)
    }), so \`${record.login}\` is still in \`${target.group}\` and the access is still active. Try again.`
    : `Tailscale did not remove the attribute (${
      errorText(e)
    }), so the access is still active. Try again.`;
}

/** Tells the requester, the approver and the notify channel, once each. */
async function tellRevoked(
  ctx: DecisionContext,
  record: TypedRecord,
  actor: string,
  reason: string | undefined,
  { membership, attribute }: Removed,
): Promise<void> {
  const profile = findProfile(ctx.config, record.attribute);
  if (!profile) return;
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

function revokedText(
  record: TypedRecord,
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
