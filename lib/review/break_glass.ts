/**
 * The review step of an emergency (break-glass) request: its rules checked
 * again, then granted at once through the same claim and grant path as an
 * approval (record, reminder and expiry alike), and announced loudly: the
 * notify channel mentions the approvers, and each approver gets a DM with
 * Acknowledge and Revoke.
 *
 * @module
 */
import {
  breakGlassFacts,
  breakGlassRefusal,
  type TypedRecord,
  withEvent,
} from "../requests/mod.ts";
import {
  breakGlassApproverMessage,
  breakGlassChannelMessage,
  breakGlassRequesterMessage,
} from "../blocks/mod.ts";
import { findProfile } from "../config_schema.ts";
import { post } from "../slack/mod.ts";
import { errorText } from "../text.ts";
import type { DecisionContext, StepResult } from "./context.ts";
import { claimAndCarryOut } from "./decide.ts";
import { decideTriggerUrl } from "./decide_trigger.ts";
import { resultOf } from "./describe.ts";
import { endUnresolvable, finishDecided } from "./finish.ts";
import { resolveRecord } from "./resolve.ts";
import { profileGoneText } from "./sentences.ts";
import { breakGlassReviewers } from "./break_glass_people.ts";

/** The history event of an emergency grant, once it was announced. */
export const BREAK_GLASS_GRANTED = "break_glass_granted";

/**
 * Grants a break-glass request at once, without an approver, and
 * announces it (once, however many deliveries of the step).
 *
 * @example
 * ```ts
 * // In startReview, for a record the form marked as break-glass:
 * if (stored?.break_glass) return await reviewBreakGlass(ctx, stored);
 * ```
 */
export async function reviewBreakGlass(
  ctx: DecisionContext,
  stored: TypedRecord,
): Promise<StepResult> {
  let result: StepResult;
  if (stored.state !== "pending") {
    // Delivered again: finish whatever the first delivery left.
    result = await finishDecided(ctx, stored);
  } else {
    const profile = findProfile(ctx.config, stored.attribute);
    const refusal = profile
      ? breakGlassRefusal(profile, stored)
      : profileGoneText(stored.attribute);
    if (refusal) return await endUnresolvable(ctx, stored, refusal);
    const resolved = await resolveRecord(ctx, stored);
    if (!resolved.ok) {
      return await endUnresolvable(ctx, stored, resolved.message);
    }
    const decided = await claimAndCarryOut(
      ctx,
      stored,
      resolved.value,
      stored.requester,
      true,
    );
    result = decided.won
      ? resultOf(decided.outcome)
      : await finishDecided(ctx, decided.record);
  }
  await announceOnce(ctx, stored.id);
  return result;
}

/**
 * Tells the channel (mentioning the approvers), each approver (with
 * Acknowledge and Revoke) and the requester, then records it: once, on
 * a record that is granted and not announced yet.
 */
async function announceOnce(ctx: DecisionContext, id: string): Promise<void> {
  const record = await ctx.store.get(id);
  const profile = record && findProfile(ctx.config, record.attribute);
  if (!record || !profile || record.state !== "granted") return;
  if (record.history.some((h) => h.event === BREAK_GLASS_GRANTED)) return;
  const facts = breakGlassFacts(record, profile);
  const [reviewers, link] = await Promise.all([
    breakGlassReviewers(ctx, profile, record.requester),
    decideTriggerUrl(ctx.client),
  ]);
  const jobs = [
    post(ctx.client, record.requester, breakGlassRequesterMessage(facts)),
  ];
  if (profile.notifyChannel) {
    jobs.push(post(
      ctx.client,
      profile.notifyChannel,
      breakGlassChannelMessage(facts, reviewers.mentions),
    ));
  }
  if (link.ok) {
    const dm = breakGlassApproverMessage(facts, {
      url: link.url,
      requestId: record.id,
    });
    jobs.push(...reviewers.ids.map((id) => post(ctx.client, id, dm)));
  } else console.error(`break-glass ${record.id}: no buttons: ${link.error}`);
  const failed = (await Promise.all(jobs)).filter((r) => !r.ok).length;
  try {
    const current = await ctx.store.get(id) ?? record;
    await ctx.store.put(withEvent(
      current,
      BREAK_GLASS_GRANTED,
      record.requester,
      new Date(),
      `until ${record.expires_at}; approvers told: ${
        reviewers.ids.join(", ") || "none"
      }${failed ? `; ${failed} message(s) not delivered` : ""}`,
    ));
  } catch (e) {
    console.error(`break-glass ${record.id}: ${errorText(e)}`);
  }
}
