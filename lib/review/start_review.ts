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
  decisionTimeoutSeconds,
  DEFAULT_SETTLE_MS,
  newRecord,
  type RequestRecord,
  type TypedRecord,
  withPrompts,
  withScheduled,
} from "../requests/mod.ts";
import { noticeMessage, requestSentMessage } from "../blocks/mod.ts";
import { findProfile } from "../config_schema.ts";
import {
  pendingEvents,
  type ResolvedRequest,
  scheduleEvents,
} from "../grants/mod.ts";
import { errorText } from "../text.ts";
import { post } from "../slack/mod.ts";
import type { DecisionContext, StepResult } from "./context.ts";
import { claimAndCarryOut } from "./decide.ts";
import { reviewBreakGlass } from "./break_glass.ts";
import { resultOf, summaryOf } from "./describe.ts";
import { eligibleApprovers } from "./every_approver.ts";
import { postPrompts, promptMessage } from "./prompts.ts";
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
 * the nudge and the timeout, and tells the requester it was sent. A
 * profile that needs several approvals asks every eligible approver, each
 * in their own DM.
 */
async function askApprover(
  ctx: DecisionContext,
  pending: RequestRecord,
  r: ResolvedRequest,
): Promise<StepResult> {
  // Slack may deliver this event more than once, even at the same time:
  // only the delivery whose claim stands asks the approver.
  const turn = await claimPrompt(
    ctx.store,
    pending,
    ctx.settleMs ?? DEFAULT_SETTLE_MS,
  );
  if (!turn.won) return REQUESTED;
  const people = await whoToAsk(ctx, turn.record, r);
  const built = await promptMessage(ctx, turn.record, r);
  if (!built.ok) {
    return await endUnresolvable(ctx, turn.record, noButtonsText(built.error));
  }
  const { prompts, errors } = await postPrompts(ctx, people, built.message);
  // Several asked: the record keeps every prompt, to update each.
  const record = people.length > 1
    ? withPrompts(turn.record, prompts)
    : turn.record;
  const own = prompts.find((p) => p.user === record.approver);
  if (!own) {
    return await endUnresolvable(
      ctx,
      record,
      undeliveredText(record.approver, errors.get(record.approver) ?? ""),
    );
  }
  // Nudge the approver (and escalate, if the profile says so); expire the
  // request if nobody decides.
  const schedule = await scheduleEvents(
    ctx.client,
    record.id,
    pendingEvents(
      new Date(record.created_at),
      decisionTimeoutSeconds(record, r.profile.requestTimeoutSeconds),
      r.profile.escalateAfterSeconds,
    ),
    new Date(),
    ctx.deadline,
  );
  try {
    await ctx.store.put(withScheduled({
      ...record,
      prompt_channel: own.channel,
      prompt_ts: own.ts,
    }, schedule));
  } catch (e) {
    console.error(`request ${record.id}: ${errorText(e)}`);
  }
  if (record.approver !== record.requester) {
    await post(
      ctx.client,
      record.requester,
      requestSentMessage(summaryOf(record, r), built.opens),
    );
  }
  // Nothing waits on this step: each decision runs in its own workflow.
  return REQUESTED;
}

/**
 * Who is asked: the chosen approver, or (several approvals needed) every
 * eligible approver, the chosen one first.
 */
async function whoToAsk(
  ctx: DecisionContext,
  record: RequestRecord,
  r: ResolvedRequest,
): Promise<string[]> {
  if (r.profile.approvalsRequired <= 1) return [record.approver];
  const { approvers } = await eligibleApprovers(
    ctx.client,
    r.profile,
    record.requester,
  );
  return [
    ...new Set([record.approver, ...approvers.map((p) => p.id)]),
  ];
}
