/**
 * One decision however many clicks: who may decide (checked at click time
 * against the current config), the claim that lets one decision win, then
 * the grant and the messages.
 *
 * @module
 */
import {
  askedOf,
  claimDecision,
  claimIsStale,
  DEFAULT_SETTLE_MS,
  grantFrom,
  plannedEndOf,
  RecordError,
  type RequestRecord,
  type TypedRecord,
} from "../requests/mod.ts";
import { lookupAccount } from "../people/mod.ts";
import { noticeMessage, type Outcome } from "../blocks/mod.ts";
import { findProfile, type Profile } from "../config_schema.ts";
import type { ResolvedRequest } from "../grants/mod.ts";
import { errorText } from "../text.ts";
import { type MessageRef, post } from "../slack/mod.ts";
import { approverGroupMembers, approverProblem } from "./approvers.ts";
import type { DecisionContext, StepResult } from "./context.ts";
import { outcomeOf, promptOf, resultOf } from "./describe.ts";
import { carryOut, endUnresolvable, finishDecided } from "./finish.ts";
import { resolveRecord } from "./resolve.ts";
import {
  alreadyDecidedText,
  decisionNotRecordedText,
  NO_RECORD_TEXT,
  noLongerDecideText,
  onlyApproverText,
  onlyAskedText,
  ownApprovalText,
  recordUnreadableText,
} from "./sentences.ts";
import { approveOneOf } from "./approve_many.ts";

/** A decision as the decision workflow hands it over. */
export type DecisionInput = {
  requestId: string;
  /** Who clicked (the interactor), checked against the request's approver. */
  actor: string;
  /** "none": the form was closed, or there was nothing to decide. */
  decision: "approve" | "deny" | "none";
  /** The approver's note (approval) or reason (denial). */
  note?: string;
};

/** The decision step's result when nothing was decided. */
const NONE: StepResult = { outputs: { outcome: "none" } };

/**
 * Carries out a decision made with the prompt's buttons, in the decision
 * workflow's own step (Slack's 60 s): the same checks and the same claim as
 * ever, so one decision wins however many clicks. Whoever clicked without
 * deciding anything is told why, in a DM.
 *
 * @example
 * ```ts
 * const result = await handleDecision(
 *   decisionContext(client, env, config, Deadline.forHandler("function", env)),
 *   { requestId: "req-1", actor: "U_APPROVER", decision: "approve" },
 * );
 * // { outputs: { outcome: "granted", expires_at: … } }, or outcome "none"
 * ```
 */
export async function handleDecision(
  ctx: DecisionContext,
  input: DecisionInput,
): Promise<StepResult> {
  const { actor } = input;
  const read = await clickedRecord(ctx, input.requestId, actor);
  if (!("record" in read)) return read.answered;
  const { record } = read;
  // Whoever was asked may decide: the approver, every approver of a
  // two-person profile, anyone an escalation reached.
  const asked = askedOf(record);
  if (!asked.includes(actor)) {
    const required = findProfile(ctx.config, record.attribute)
      ?.approvalsRequired ?? 1;
    return await refuse(
      ctx,
      actor,
      actor === record.requester && required > 1
        ? ownApprovalText(required)
        : asked.length > 1
        ? onlyAskedText(asked)
        : onlyApproverText(record.approver),
    );
  }
  if (record.state !== "pending") {
    return await decidedAlready(ctx, record, actor);
  }
  // The approver closed the form without deciding: nothing to do.
  if (input.decision === "none") return NONE;
  return await decidePending(ctx, record, input);
}

/**
 * The record a click is about, or, when it cannot be read or is gone, the
 * answer the clicker was already given.
 *
 * @example
 * ```ts
 * const read = await clickedRecord(ctx, input.requestId, actor);
 * if (!("record" in read)) return read.answered;
 * ```
 */
export async function clickedRecord(
  ctx: DecisionContext,
  requestId: string,
  actor: string,
): Promise<{ record: TypedRecord } | { answered: StepResult }> {
  let record: TypedRecord | null;
  try {
    record = await ctx.store.get(requestId);
  } catch (e) {
    return {
      answered: await refuse(ctx, actor, recordUnreadableText(errorText(e))),
    };
  }
  return record
    ? { record }
    : { answered: await refuse(ctx, actor, NO_RECORD_TEXT) };
}

/** Tells whoever clicked why nothing was decided. */
export async function refuse(
  ctx: DecisionContext,
  actor: string,
  text: string,
): Promise<StepResult> {
  await post(ctx.client, actor, noticeMessage(text));
  return NONE;
}

/**
 * A click on a request decided before: finishes it if its own event died
 * halfway, and says how it was decided.
 */
async function decidedAlready(
  ctx: DecisionContext,
  record: TypedRecord,
  actor: string,
): Promise<StepResult> {
  if (!record.notified && !claimIsStale(record, new Date())) {
    // The winning decision is still being carried out by its own event;
    // resuming it here would grant or notify twice.
    return await refuse(ctx, actor, alreadyDecidedText(record));
  }
  const wasFinished = record.notified === true;
  const result = await finishDecided(ctx, record, promptOf(record));
  if (wasFinished) await refuse(ctx, actor, alreadyDecidedText(record));
  return result;
}

/** A pending request's decision: checks, claims, carries it out. */
async function decidePending(
  ctx: DecisionContext,
  record: TypedRecord,
  input: DecisionInput,
): Promise<StepResult> {
  const { actor } = input;
  const prompt = promptOf(record);
  // Pending: is the clicker still allowed to decide, under today's config?
  // (Asked while the device is read again, to save the approver time.)
  const profile = findProfile(ctx.config, record.attribute);
  const [problem, resolved] = await Promise.all([
    profile ? deciderProblem(ctx, profile, record, actor) : null,
    resolveRecord(ctx, record),
  ]);
  if (problem) return await refuse(ctx, actor, noLongerDecideText(problem));
  if (!resolved.ok) {
    return await endUnresolvable(ctx, record, resolved.message, prompt);
  }
  const required = profile?.approvalsRequired ?? 1;
  try {
    if (required > 1 && input.decision === "approve") {
      return await approveOneOf(
        ctx,
        record,
        resolved.value,
        { actor, required, note: input.note },
      );
    }
    const decided = await claimAndCarryOut(
      ctx,
      record,
      resolved.value,
      actor,
      input.decision === "approve",
      prompt,
      input.note,
    );
    if (!decided.won) {
      return await refuse(ctx, actor, alreadyDecidedText(decided.record));
    }
    return resultOf(decided.outcome);
  } catch (e) {
    if (e instanceof RecordError) {
      return await refuse(ctx, actor, decisionNotRecordedText(e.message));
    }
    throw e;
  }
}

/**
 * Why `actor` may not decide `record` under today's config, or null (asked
 * again at a scheduled grant's start).
 */
export async function deciderProblem(
  ctx: DecisionContext,
  profile: Profile,
  record: RequestRecord,
  actor: string,
): Promise<string | null> {
  // Any account: a deactivated one or a bot is refused for what it is.
  const [person, members] = await Promise.all([
    lookupAccount(ctx.client, actor),
    approverGroupMembers(ctx.client, profile),
  ]);
  return approverProblem(profile, record.requester, person, members);
}

/** A claimed decision and how it ended, or the record another claim won. */
export type Decided =
  | { won: true; outcome: Outcome; record: RequestRecord }
  | { won: false; record: TypedRecord };

/**
 * Claims the decision and, if it is ours, carries it out and tells
 * everyone (an approval by the clicker, or a self-approval at once).
 */
export async function claimAndCarryOut(
  ctx: DecisionContext,
  record: RequestRecord,
  r: ResolvedRequest,
  actor: string,
  approved: boolean,
  prompt?: MessageRef,
  note?: string,
): Promise<Decided> {
  const now = new Date();
  const claim = await claimDecision(ctx.store, record, {
    state: approved ? "approved" : "denied",
    actor,
    now,
    note,
    plannedExpiry: approved ? await plannedExpiry(ctx, record, now) : undefined,
  }, ctx.settleMs ?? DEFAULT_SETTLE_MS);
  if (!claim.won) return { won: false, record: claim.record };
  const done = await carryOut(ctx, claim.record, r, prompt, false);
  return { won: true, outcome: outcomeOf(done), record: done };
}

/** How long a new grant or an extension would run, if approved now. */
export async function plannedExpiry(
  ctx: DecisionContext,
  record: RequestRecord,
  now: Date,
): Promise<Date> {
  // A later start counts the duration from there (see requests/start.ts).
  let from = grantFrom(record, now).getTime();
  if (record.extends) {
    const original = await ctx.store.get(record.extends);
    // A grant that has not started yet ends as planned at its approval.
    const end = original && plannedEndOf(original);
    if (end && end.getTime() > from) from = end.getTime();
  }
  return new Date(from + record.duration_seconds * 1000);
}
