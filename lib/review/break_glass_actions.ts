/**
 * An approver's Acknowledge or Revoke on an emergency (break-glass) grant,
 * run by the decision workflow like Approve and Deny: only the profile's
 * approvers and config.ts's admins may, checked at click time; revoking
 * goes through the one revoke path, with the approver as its actor.
 *
 * @module
 */
import {
  breakGlassFacts,
  type TypedRecord,
  withEvent,
} from "../requests/mod.ts";
import {
  breakGlassAcknowledgedMessage,
  type BreakGlassAction,
  noticeMessage,
  slackDate,
} from "../blocks/mod.ts";
import { findProfile, type Profile } from "../config_schema.ts";
import { isActiveGrant, revokeGrant } from "../grants/mod.ts";
import { escapeMrkdwn } from "../devices/mod.ts";
import { post } from "../slack/mod.ts";
import type { DecisionContext, StepResult } from "./context.ts";
import { mayReviewBreakGlass } from "./break_glass_people.ts";
import { clickedRecord } from "./decide.ts";

/** The reason a revoke from an approver's emergency DM is recorded with. */
export const BREAK_GLASS_REVOKE_REASON =
  "emergency access revoked by an approver on review";

/** An approver's click on an emergency grant's DM. */
export type BreakGlassInput = {
  requestId: string;
  actor: string;
  action: BreakGlassAction;
};

/** Tells `actor` `text` in a DM; the step decided nothing. */
async function answer(
  ctx: DecisionContext,
  actor: string,
  text: string,
  outcome = "none",
): Promise<StepResult> {
  await post(ctx.client, actor, noticeMessage(text));
  return { outputs: { outcome } };
}

/**
 * Acknowledges or revokes an emergency grant for `input.actor`, if they
 * may; tells them what happened, or why nothing did.
 *
 * @example
 * ```ts
 * await handleBreakGlassAction(ctx,
 *   { requestId: "req-1", actor: "U_BOB", action: "acknowledge" });
 * // { outputs: { outcome: "acknowledged" } }
 * ```
 */
export async function handleBreakGlassAction(
  ctx: DecisionContext,
  input: BreakGlassInput,
): Promise<StepResult> {
  const { actor } = input;
  const read = await clickedRecord(ctx, input.requestId, actor);
  if (!("record" in read)) return read.answered;
  const { record } = read;
  const profile = findProfile(ctx.config, record.attribute);
  if (!record.break_glass || !profile) {
    return await answer(ctx, actor, "This is not an emergency grant.");
  }
  if (!await mayReviewBreakGlass(ctx, profile, record.requester, actor)) {
    return await answer(
      ctx,
      actor,
      `Only the approvers of ${
        escapeMrkdwn(profile.description)
      } or a tailnet admin can acknowledge or revoke this emergency access.`,
    );
  }
  if (!isActiveGrant(record, new Date())) {
    return await answer(ctx, actor, endedText(record));
  }
  return input.action === "acknowledge"
    ? await acknowledge(ctx, record, profile, actor)
    : await revoke(ctx, record, actor);
}

/** Why an ended emergency grant cannot be acted on any more. */
function endedText(record: TypedRecord): string {
  return record.state === "revoked" && record.ended_by
    ? `This emergency access was already revoked by <@${record.ended_by}>.`
    : "This emergency access has already ended.";
}

/** Records the acknowledgement (the first one) and tells the channel. */
async function acknowledge(
  ctx: DecisionContext,
  record: TypedRecord,
  profile: Profile,
  actor: string,
): Promise<StepResult> {
  // Read again just before the write (no conditional write exists): a
  // revoke or an end since the click's first read is kept, not overwritten.
  const now = new Date();
  record = await ctx.store.get(record.id) ?? record;
  if (!isActiveGrant(record, now)) {
    return await answer(ctx, actor, endedText(record));
  }
  if (record.acknowledged_by) {
    const at = Date.parse(record.acknowledged_at ?? "");
    return await answer(
      ctx,
      actor,
      `<@${record.acknowledged_by}> already acknowledged this emergency access${
        Number.isFinite(at) ? ` ${slackDate(new Date(at))}` : ""
      }.`,
    );
  }
  await ctx.store.put(withEvent(
    { ...record, acknowledged_by: actor, acknowledged_at: now.toISOString() },
    "acknowledged",
    actor,
    now,
  ));
  const message = breakGlassAcknowledgedMessage(
    breakGlassFacts(record, profile),
    actor,
  );
  const told = new Set([record.requester]);
  if (profile.notifyChannel) told.add(profile.notifyChannel);
  await Promise.all([...told].map((to) => post(ctx.client, to, message)));
  return await answer(
    ctx,
    actor,
    `You acknowledged <@${record.requester}>'s emergency access to ${
      escapeMrkdwn(profile.description)
    }. You can still revoke it from the same message.`,
    "acknowledged",
  );
}

/** Revokes it through the one revoke path, the approver as its actor. */
async function revoke(
  ctx: DecisionContext,
  record: TypedRecord,
  actor: string,
): Promise<StepResult> {
  const result = await revokeGrant(
    ctx,
    record,
    actor,
    BREAK_GLASS_REVOKE_REASON,
  );
  return await answer(
    ctx,
    actor,
    result.ok ? result.text : `:warning: ${result.text}`,
    result.ok ? "revoked" : "none",
  );
}
