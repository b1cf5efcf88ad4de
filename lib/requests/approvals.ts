/**
 * Who was asked to decide a request and who approved it, read from the
 * record: its prompts (one per person asked: the chosen approver, every
 * approver of a two-person profile, whoever an escalation reached) and its
 * approvals (the history's `approval` events, one per distinct approver).
 *
 * @module
 */
import { type RequestRecord, withEvent } from "./record.ts";

/** The history event of one approval among several required. */
export const APPROVAL_EVENT = "approval";

/** One prompt: the person asked, and where their message is. */
export type PromptRef = { user: string; channel: string; ts: string };

/** The stored form of a prompt, "user:channel:ts". */
export function promptEntry(p: PromptRef): string {
  return `${p.user}:${p.channel}:${p.ts}`;
}

/**
 * Every prompt of the record: its `prompts`, or for a row written before
 * them the one prompt in `prompt_channel`/`prompt_ts` (its approver's).
 *
 * @example
 * ```ts
 * promptsOf({ ...record, prompts: ["U1:D1:1.2"] });
 * // [{ user: "U1", channel: "D1", ts: "1.2" }]
 * ```
 */
export function promptsOf(
  record: Pick<
    RequestRecord,
    "prompts" | "prompt_channel" | "prompt_ts" | "approver"
  >,
): PromptRef[] {
  if (record.prompts?.length) {
    return record.prompts.flatMap((entry) => {
      const [user, channel, ts] = entry.split(":");
      return user && channel && ts ? [{ user, channel, ts }] : [];
    });
  }
  return record.prompt_channel && record.prompt_ts
    ? [{
      user: record.approver,
      channel: record.prompt_channel,
      ts: record.prompt_ts,
    }]
    : [];
}

/** The record with `added` among its prompts (pure; no person twice). */
export function withPrompts<R extends RequestRecord>(
  record: R,
  added: readonly PromptRef[],
): R {
  const known = promptsOf(record);
  const fresh = added.filter((p) => !known.some((k) => k.user === p.user));
  return { ...record, prompts: [...known, ...fresh].map(promptEntry) };
}

/** The people who were asked to decide (the approver first). */
export function askedOf(record: RequestRecord): string[] {
  return [
    ...new Set([record.approver, ...promptsOf(record).map((p) => p.user)]),
  ];
}

/** One recorded approval: who, and when. */
export type Approval = { actor: string; at: string };

/**
 * The distinct approvals recorded on a request, in order. A request
 * decided by one person (one approval required) has its decider's.
 */
export function approvalsOf(record: RequestRecord): Approval[] {
  const seen = new Set<string>();
  const approvals: Approval[] = [];
  for (const h of record.history) {
    if (h.event !== APPROVAL_EVENT || seen.has(h.actor)) continue;
    seen.add(h.actor);
    approvals.push({ actor: h.actor, at: h.at });
  }
  return approvals;
}

/**
 * Who approved the access: every distinct approver of a multi-approval
 * request, or the one who decided.
 */
export function approversOf(record: RequestRecord): string[] {
  const approvals = approvalsOf(record);
  if (approvals.length) return approvals.map((a) => a.actor);
  return [record.decided_by ?? record.approver];
}

/**
 * The record with `actor`'s approval added (pure), or null when it cannot
 * count: the request is no longer pending, `actor` is its requester, or
 * has approved it already.
 */
export function withApproval<R extends RequestRecord>(
  record: R,
  actor: string,
  now: Date,
  note?: string,
): R | null {
  if (record.state !== "pending" || actor === record.requester) return null;
  if (approvalsOf(record).some((a) => a.actor === actor)) return null;
  return withEvent(record, APPROVAL_EVENT, actor, now, note);
}
