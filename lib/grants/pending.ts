/**
 * Ending a pending request without a decision: it timed out, or its
 * requester cancelled it.
 *
 * @module
 */
import type { Profile } from "../config_schema.ts";
import {
  announceOutcome,
  type DecisionContext,
  describeRecord,
  outcomeOf,
  promptRefsOf,
} from "../review/mod.ts";
import {
  claimDecision,
  DEFAULT_SETTLE_MS,
  isScheduledGrant,
  type TypedRecord,
  withNotified,
  withSchedule,
} from "../requests/mod.ts";
import { cancelTriggers } from "./ending.ts";
import { endScheduled } from "./scheduled_grant.ts";

/**
 * Ends a pending request without a decision (it expired, or the requester
 * cancelled it): one claim, so a click at the same moment cannot also
 * decide; then the approver's message and the requester. Returns the
 * record as it ended up, won or not.
 *
 * @example
 * ```ts
 * const ended = await endPending(ctx, record, profile, "cancelled", userId);
 * if (!ended.won) console.log(`already ${ended.record.state}`);
 * ```
 */
export async function endPending(
  ctx: DecisionContext,
  record: TypedRecord,
  profile: Profile | undefined,
  state: "expired" | "cancelled",
  actor: string,
  now = new Date(),
): Promise<{ won: boolean; record: TypedRecord }> {
  const claim = await claimDecision(ctx.store, record, {
    state,
    actor,
    now,
  }, ctx.settleMs ?? DEFAULT_SETTLE_MS);
  if (!claim.won) return claim;
  let current = withSchedule(
    claim.record,
    await cancelTriggers(ctx, claim.record),
  );
  if (profile) {
    const failures = await announceOutcome(
      ctx.client,
      await describeRecord(ctx, current, profile),
      outcomeOf(current),
      promptRefsOf(current),
    );
    current = withNotified(current, failures, new Date());
  }
  // No step waits on a pending request (decisions run in their own
  // workflow), so there is nothing to complete.
  await ctx.store.put(current);
  return { won: true, record: current };
}

/** What a requester's Cancel did. */
export type CancelResult =
  /** Only the requester may cancel. */
  | { kind: "not_requester" }
  /** Decided (or ended) before the click: nothing to cancel. */
  | { kind: "not_pending" }
  /** Cancelled; the approver's message says so. */
  | { kind: "cancelled" }
  /** A decision counted first (they met at the claim). */
  | { kind: "decided_first" };

/**
 * The requester cancels their pending request, or their approved one
 * that has not started yet.
 *
 * @example
 * ```ts
 * const result = await cancelRequest(ctx, record, userId, profile);
 * if (result.kind === "cancelled") console.log("the approver is told");
 * ```
 */
export async function cancelRequest(
  ctx: DecisionContext,
  record: TypedRecord,
  actor: string,
  profile: Profile | undefined,
): Promise<CancelResult> {
  if (record.requester !== actor) return { kind: "not_requester" };
  if (isScheduledGrant(record)) {
    // Approved but not started: nothing to undo in Tailscale.
    await endScheduled(ctx, record, actor, "cancelled");
    return { kind: "cancelled" };
  }
  if (record.state !== "pending") return { kind: "not_pending" };
  const ended = await endPending(ctx, record, profile, "cancelled", actor);
  return { kind: ended.won ? "cancelled" : "decided_first" };
}
