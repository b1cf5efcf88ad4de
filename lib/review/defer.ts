/**
 * Handing on a grant that did not fit in its handler's time: a resume event
 * a minute later finishes it (the periodic check is the second way back),
 * and the person who decided is told it is in progress.
 *
 * @module
 */
import {
  CLAIM_LEASE_MS,
  type RequestRecord,
  withEvent,
  withScheduled,
} from "../requests/mod.ts";
import {
  grantInProgressMessage,
  grantInProgressText,
  noticeMessage,
} from "../blocks/mod.ts";
import {
  ensureReconcileSchedule,
  failedGrant,
  type GrantDeferred,
  type ResolvedRequest,
  scheduleEvents,
} from "../grants/mod.ts";
import { type MessageRef, post, update } from "../slack/mod.ts";
import type { DecisionContext } from "./context.ts";
import { promptRefsOf, summaryOf } from "./describe.ts";
import { tooSlowText } from "./sentences.ts";

/** How many times a slow grant is handed on before it fails out loud. */
export const MAX_DEFERRALS = 5;
/** How long after a handed-on grant its resume event runs. */
export const RESUME_AFTER_MS = 60_000;

/**
 * Hands a grant that did not fit in its handler on to a resume event a
 * minute later (the periodic check is the second way back), and tells the
 * person who decided that it is in progress; after {@linkcode MAX_DEFERRALS}
 * tries it fails instead, to be said out loud. Returns the record to keep.
 */
export async function deferGrant(
  ctx: DecisionContext,
  deferred: GrantDeferred,
  r: ResolvedRequest,
  prompt: MessageRef | undefined,
): Promise<RequestRecord> {
  const now = new Date();
  const record = deferred.record;
  const tries =
    record.history.filter((h) => h.event === "grant_deferred").length + 1;
  if (tries > MAX_DEFERRALS) {
    return failedGrant(record, tooSlowText(tries, deferred.message), now);
  }
  const resumeAt = new Date(now.getTime() + RESUME_AFTER_MS);
  const [schedule] = await Promise.all([
    scheduleEvents(ctx.client, record.id, [{ event: "resume", at: resumeAt }]),
    // A lost resume trigger must not leave it approved for ever.
    ensureReconcileSchedule(ctx.client, now),
  ]);
  const next = withEvent(
    withScheduled({
      ...record,
      lease_until: new Date(resumeAt.getTime() + CLAIM_LEASE_MS)
        .toISOString(),
    }, schedule),
    "grant_deferred",
    "app",
    now,
    deferred.message,
  );
  await ctx.store.put(next);
  const summary = summaryOf(next, r);
  await Promise.all(
    promptRefsOf(next, prompt).map((ref) =>
      update(ctx.client, ref, grantInProgressMessage(summary))
    ),
  );
  const decider = next.decided_by ?? next.approver;
  await post(
    ctx.client,
    decider,
    noticeMessage(grantInProgressText(summary, decider)),
  );
  return next;
}
