/**
 * A request's record as the rest of the app reads it: the summary messages
 * show, the outcome it stands for, the step result that outcome makes, and
 * where the approver's prompt is.
 *
 * @module
 */
import {
  approvalsOf,
  askedOf,
  plannedEndOf,
  promptsOf,
  type RequestRecord,
  targetOf,
} from "../requests/mod.ts";
import { lookupPerson } from "../people/mod.ts";
import type { Outcome, RequestSummary } from "../blocks/mod.ts";
import type { Profile } from "../config_schema.ts";
import type { ResolvedRequest } from "../grants/mod.ts";
import type { MessageRef } from "../slack/mod.ts";
import type { DecisionContext, StepResult } from "./context.ts";
import { grantFailedText } from "./sentences.ts";

/**
 * The request as messages describe it, without asking Tailscale: the device
 * as the submission saw it (or just its node ID).
 */
export async function describeRecord(
  ctx: DecisionContext,
  record: RequestRecord,
  profile: Profile,
): Promise<RequestSummary> {
  const requester = await lookupPerson(ctx.client, record.requester);
  return summaryOf(record, { profile, target: targetOf(record), requester });
}

/**
 * The summary messages show of `record`, with its profile, target and
 * requester as read (afresh, or from the record).
 */
export function summaryOf(
  record: RequestRecord,
  r: Pick<ResolvedRequest, "profile" | "target" | "requester">,
): RequestSummary {
  return {
    requesterId: record.requester,
    approverId: record.approver,
    requesterEmail: r.requester?.email,
    profile: r.profile,
    target: r.target,
    durationSeconds: record.duration_seconds,
    reason: record.reason,
    ...(record.starts_at ? { startsAt: new Date(record.starts_at) } : {}),
    ...(record.decided_by && record.decided_by !== record.approver &&
        ["approved", "granted", "denied", "failed", "revoked"].includes(
          record.state,
        )
      ? { deciderId: record.decided_by }
      : {}),
    ...(r.profile.approvalsRequired > 1
      ? {
        approvals: {
          required: r.profile.approvalsRequired,
          asked: askedOf(record),
          by: approvalsOf(record).map((a) => a.actor),
        },
      }
      : {}),
    ...(record.extends
      ? {
        extendsUntil: plannedEndOf(record) ??
          new Date(Date.now() + record.duration_seconds * 1000),
      }
      : {}),
  };
}

/**
 * The outcome a terminal record stands for.
 *
 * @example
 * ```ts
 * outcomeOf({ ...record, state: "denied", decision_note: "Not now" });
 * // { kind: "denied", reason: "Not now" }
 * ```
 */
export function outcomeOf(record: RequestRecord): Outcome {
  // A grant later revoked or expired was still granted when decided.
  if (["granted", "revoked"].includes(record.state) || record.granted_at) {
    return {
      kind: "granted",
      expiresAt: plannedEndOf(record) ?? new Date(0),
      selfApproved: record.requester === record.approver,
      ...(record.break_glass ? { breakGlass: true } : {}),
      ...(record.decision_note ? { note: record.decision_note } : {}),
      ...(record.membership === "present" ? { alreadyMember: true } : {}),
    };
  }
  if (record.state === "denied") {
    return {
      kind: "denied",
      ...(record.decision_note ? { reason: record.decision_note } : {}),
    };
  }
  if (record.state === "expired") return { kind: "expired" };
  if (record.state === "cancelled") return { kind: "cancelled" };
  // Approved to start later: in progress until its start grants it.
  if (record.state === "approved" || record.state === "scheduled") {
    return { kind: "in_progress" };
  }
  return { kind: "failed", error: record.error ?? "unknown error" };
}

/** The step result an outcome makes: its outputs, or a failed grant's error. */
export function resultOf(outcome: Outcome): StepResult {
  switch (outcome.kind) {
    case "granted":
      return {
        outputs: {
          outcome: "granted",
          expires_at: Math.floor(outcome.expiresAt.getTime() / 1000),
        },
      };
    case "denied":
    case "expired":
    case "cancelled":
    case "in_progress":
      return { outputs: { outcome: outcome.kind } };
    case "failed":
      return { error: grantFailedText(outcome.error) };
  }
}

/**
 * Every prompt of the record (each person asked), with `first` (the one
 * in hand, if any) once at the front.
 */
export function promptRefsOf(
  record: RequestRecord,
  first?: MessageRef,
): MessageRef[] {
  const refs: MessageRef[] = first ? [first] : [];
  for (const p of promptsOf(record)) {
    if (!refs.some((r) => r.channel === p.channel && r.ts === p.ts)) {
      refs.push({ channel: p.channel, ts: p.ts });
    }
  }
  return refs;
}

/** The approver's prompt message, once it was posted. */
export function promptOf(record: RequestRecord): MessageRef | undefined {
  return record.prompt_channel && record.prompt_ts
    ? { channel: record.prompt_channel, ts: record.prompt_ts }
    : undefined;
}
