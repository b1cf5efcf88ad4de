/**
 * The review step: a submitted request is recorded and checked again, then
 * granted at once (a self-approval without confirmation) or put to its
 * approver, by exactly one delivery of the step.
 *
 * @module
 */
import {
  type AccessRequest,
  claimPrompt,
  DEFAULT_SETTLE_MS,
  newRecord,
  type RequestRecord,
  type TypedRecord,
  withScheduled,
} from "../requests/mod.ts";
import {
  approvalRequestMessage,
  noticeMessage,
  requestSentMessage,
} from "../blocks/mod.ts";
import { findProfile } from "../config_schema.ts";
import {
  pendingEvents,
  type ResolvedRequest,
  scheduleEvents,
} from "../grants/mod.ts";
import { readOpens } from "../devices/mod.ts";
import { opensText } from "../policy/mod.ts";
import { errorText } from "../text.ts";
import { post } from "../slack/mod.ts";
import type { DecisionContext, StepResult } from "./context.ts";
import { claimAndCarryOut } from "./decide.ts";
import { reviewBreakGlass } from "./break_glass.ts";
import { decideTriggerUrl } from "./decide_trigger.ts";
import { resultOf, summaryOf } from "./describe.ts";
import { endUnresolvable, finishDecided } from "./finish.ts";
import { resolveRecord } from "./resolve.ts";
import {
  noButtonsText,
  noSelfApprovalText,
  notRecordedText,
  undeliveredText,
} from "./sentences.ts";

/** The review step's result once the approver has been asked. */
const REQUESTED: StepResult = { outputs: { outcome: "requested" } };

/**
 * The approval step starts: read the record, check everything again, then
 * either grant at once (self-approval without confirmation) or ask the
 * approver.
 *
 * @example
 * ```ts
 * const result = await startReview(
 *   decisionContext(client, env, config, Deadline.forHandler("function", env)),
 *   request, // the AccessRequest the request form submitted
 * );
 * // { outputs: { outcome: "requested" } } once the approver was asked
 * ```
 */
export async function startReview(
  ctx: DecisionContext,
  request: AccessRequest,
): Promise<StepResult> {
  let stored: TypedRecord | null;
  try {
    stored = await ctx.store.get(request.id);
  } catch (e) {
    const message = notRecordedText(errorText(e));
    await post(ctx.client, request.requester, noticeMessage(message));
    return { error: message };
  }
  // An emergency grant: no approver, granted at once (see break_glass.ts).
  if (stored?.break_glass) return await reviewBreakGlass(ctx, stored);
  if (stored && stored.state !== "pending") {
    // A re-delivered start: carry on from wherever the record is.
    return await finishDecided(ctx, stored);
  }
  const record: RequestRecord = stored ?? newRecord(request, new Date());
  // The approver was asked already: this is the same event delivered again.
  if (record.prompt_ts) return REQUESTED;
  // A self-approval that grants at once needs the device read fresh.
  const self = findProfile(ctx.config, record.attribute);
  const grantsNow = record.approver === record.requester &&
    !!self?.canSelfApprove && !self.confirmSelfApproval;
  const resolved = await resolveRecord(ctx, record, !grantsNow);
  if (!resolved.ok) return await endUnresolvable(ctx, record, resolved.message);
  const r = resolved.value;
  if (record.approver === record.requester) {
    if (!r.profile.canSelfApprove) {
      return await endUnresolvable(
        ctx,
        record,
        noSelfApprovalText(r.profile.description),
      );
    }
    if (!r.profile.confirmSelfApproval) {
      const decided = await claimAndCarryOut(
        ctx,
        record,
        r,
        record.requester,
        true,
      );
      return decided.won
        ? resultOf(decided.outcome)
        : await finishDecided(ctx, decided.record);
    }
  }
  return await askApprover(ctx, record, r);
}

/**
 * Posts the approver's prompt (once, however many deliveries), schedules
 * the nudge and the timeout, and tells the requester it was sent.
 */
async function askApprover(
  ctx: DecisionContext,
  pending: RequestRecord,
  r: ResolvedRequest,
): Promise<StepResult> {
  const summary = summaryOf(pending, r);
  // Slack may deliver this event more than once, even at the same time:
  // only the delivery whose claim stands asks the approver.
  const turn = await claimPrompt(
    ctx.store,
    pending,
    ctx.settleMs ?? DEFAULT_SETTLE_MS,
  );
  if (!turn.won) return REQUESTED;
  const record = turn.record;
  // What the grant opens comes from the cache the request form's warm-up
  // filled: one datastore read, no Tailscale call while the approver waits.
  const [link, opens] = await Promise.all([
    decideTriggerUrl(ctx.client),
    readOpens(ctx.client, r.profile.key).then(opensText),
  ]);
  if (!link.ok) {
    return await endUnresolvable(ctx, record, noButtonsText(link.error));
  }
  const prompt = await post(
    ctx.client,
    record.approver,
    approvalRequestMessage(
      summary,
      { url: link.url, requestId: record.id },
      opens,
    ),
  );
  if (!prompt.ok) {
    return await endUnresolvable(
      ctx,
      record,
      undeliveredText(record.approver, prompt.error),
    );
  }
  // Nudge the approver halfway; expire the request if nobody decides.
  const schedule = await scheduleEvents(
    ctx.client,
    record.id,
    pendingEvents(new Date(record.created_at), r.profile.requestTimeoutSeconds),
    new Date(),
    ctx.deadline,
  );
  try {
    await ctx.store.put(withScheduled({
      ...record,
      prompt_channel: prompt.ref.channel,
      prompt_ts: prompt.ref.ts,
    }, schedule));
  } catch (e) {
    console.error(`request ${record.id}: ${errorText(e)}`);
  }
  if (record.approver !== record.requester) {
    await post(
      ctx.client,
      record.requester,
      requestSentMessage(summary, opens),
    );
  }
  // Nothing waits on this step: each decision runs in its own workflow.
  return REQUESTED;
}
