/**
 * Two-person approval: a profile with `approvalsRequired` above 1 is
 * granted when that many distinct approvers (never the requester) have
 * approved; any one Deny ends it (an ordinary decision).
 *
 * Each approval is its own claimed step (`claimStep` in lib/requests): the
 * approvals that stand are written one on top of the other, so a racing
 * pair both count, and only the one that reaches the number writes the
 * approved state the grant follows. That step is the decision: it wins
 * against a racing Deny, or loses to it, like any decision.
 *
 * @module
 */
import {
  approvalsOf,
  claimedRecord,
  claimStep,
  DEFAULT_SETTLE_MS,
  type RequestRecord,
  withApproval,
} from "../requests/mod.ts";
import { progressText } from "../blocks/mod.ts";
import type { ResolvedRequest } from "../grants/mod.ts";
import type { DecisionContext, StepResult } from "./context.ts";
import { plannedExpiry, refuse } from "./decide.ts";
import { outcomeOf, resultOf, summaryOf } from "./describe.ts";
import { carryOut } from "./finish.ts";
import { refreshPrompts } from "./prompts.ts";
import {
  alreadyDecidedText,
  approvalRecordedText,
  approvedAlreadyText,
  ownApprovalText,
} from "./sentences.ts";

/** One approval among several required. */
export type PartApproval = {
  actor: string;
  /** How many distinct approvals the profile needs now. */
  required: number;
  note?: string;
};

/** The decision step's result when an approval counted but is not the last. */
const RECORDED: StepResult = { outputs: { outcome: "pending" } };

/**
 * Counts `actor`'s approval of a pending request that needs several: the
 * last one needed grants (once, however the clicks race); any other
 * updates every approver's prompt with who has approved so far.
 *
 * @example
 * ```ts
 * const result = await approveOneOf(ctx, record, resolved, {
 *   actor: "U_BOB",
 *   required: 2,
 * });
 * // { outputs: { outcome: "pending" } } after the first of two
 * ```
 */
export async function approveOneOf(
  ctx: DecisionContext,
  record: RequestRecord,
  r: ResolvedRequest,
  a: PartApproval,
): Promise<StepResult> {
  if (a.actor === record.requester) {
    return await refuse(ctx, a.actor, ownApprovalText(a.required));
  }
  const now = new Date();
  const expiry = await plannedExpiry(ctx, record, now);
  const claim = await claimStep(ctx.store, record, (current) => {
    const added = withApproval(current, a.actor, now, a.note);
    if (!added || approvalsOf(added).length < a.required) return added;
    return claimedRecord(added, {
      state: "approved",
      actor: a.actor,
      now,
      plannedExpiry: expiry,
      note: a.note,
    }, "");
  }, ctx.settleMs ?? DEFAULT_SETTLE_MS);
  const progress = progressText(
    summaryOf(claim.record, r).approvals ?? {
      required: a.required,
      asked: [],
      by: approvalsOf(claim.record).map((x) => x.actor),
    },
  );
  if (!claim.won) {
    return await refuse(
      ctx,
      a.actor,
      claim.record.state === "pending"
        ? approvedAlreadyText(progress)
        : alreadyDecidedText(claim.record),
    );
  }
  if (claim.record.state === "approved") {
    const done = await carryOut(ctx, claim.record, r, undefined, false);
    return resultOf(outcomeOf(done));
  }
  await Promise.all([
    refreshPrompts(ctx, claim.record, r),
    refuse(ctx, a.actor, approvalRecordedText(progress)),
  ]);
  return RECORDED;
}
