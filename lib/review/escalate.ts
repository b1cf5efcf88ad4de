/**
 * Escalation instead of silence: a pending request nobody decided within
 * the profile's `escalateAfterSeconds` is offered to every other eligible
 * approver (the same prompt, each in their own DM) and posted to the
 * notify channel. Whoever it reaches may decide under the normal rules:
 * the claim lets one decision win.
 *
 * @module
 */
import {
  askedOf,
  claimStep,
  DEFAULT_SETTLE_MS,
  type RequestRecord,
  targetOf,
  withEvent,
  withPrompts,
} from "../requests/mod.ts";
import { lookupPerson } from "../people/mod.ts";
import { decidedApprovalMessage, escalationMessage } from "../blocks/mod.ts";
import type { Profile } from "../config_schema.ts";
import { post, update } from "../slack/mod.ts";
import type { DecisionContext } from "./context.ts";
import { outcomeOf, summaryOf } from "./describe.ts";
import { eligibleApprovers } from "./every_approver.ts";
import { postPrompts, promptMessage } from "./prompts.ts";

/** The history event of an escalation (noted first: it happens once). */
export const ESCALATED_EVENT = "escalated";

/**
 * Escalates a pending request (the `escalate` timed event); does nothing
 * once it is decided or was escalated already.
 *
 * @example
 * ```ts
 * // The "escalate" lifecycle event, escalateAfterSeconds after the request:
 * await escalate(ctx, record, profile, new Date());
 * ```
 */
export async function escalate(
  ctx: DecisionContext,
  record: RequestRecord,
  profile: Profile,
  now: Date,
): Promise<void> {
  const after = profile.escalateAfterSeconds;
  if (after === undefined || !escalatable(record)) return;
  const settleMs = ctx.settleMs ?? DEFAULT_SETTLE_MS;
  // One delivery escalates, and only a pending request: a claimed step.
  const turn = await claimStep(
    ctx.store,
    record,
    (current) =>
      escalatable(current)
        ? withEvent(current, ESCALATED_EVENT, "app", now)
        : null,
    settleMs,
  );
  if (!turn.won) return;
  const r = {
    profile,
    target: targetOf(turn.record),
    requester: await lookupPerson(ctx.client, turn.record.requester),
  };
  const asked = askedOf(turn.record);
  const { approvers } = await eligibleApprovers(
    ctx.client,
    profile,
    turn.record.requester,
  );
  const others = approvers.map((p) => p.id).filter((id) => !asked.includes(id));
  const built = await promptMessage(ctx, turn.record, r);
  if (!built.ok) console.error(`request ${record.id}: ${built.error}`);
  const { prompts } = built.ok && others.length
    ? await postPrompts(ctx, others, built.message)
    : { prompts: [] };
  // Recorded as a claimed step too, so it cannot undo a decision made
  // meanwhile; a decided request's new prompts say how it was decided.
  const kept = await claimStep(
    ctx.store,
    turn.record,
    (current) =>
      current.state === "pending" ? withPrompts(current, prompts) : null,
    settleMs,
  );
  if (kept.record.state !== "pending") {
    const decided = decidedApprovalMessage(
      summaryOf(kept.record, r),
      outcomeOf(kept.record),
    );
    await Promise.all(prompts.map((p) => update(ctx.client, p, decided)));
    return;
  }
  if (profile.notifyChannel) {
    await post(
      ctx.client,
      profile.notifyChannel,
      escalationMessage(
        record.requester,
        profile,
        after,
        askedOf(kept.record),
      ),
    );
  }
}

/** A pending request not escalated yet. */
function escalatable(record: RequestRecord): boolean {
  return record.state === "pending" &&
    !record.history.some((h) => h.event === ESCALATED_EVENT);
}
