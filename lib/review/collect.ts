/**
 * Step 1 of a decision, as rules: who gets a modal for "Approve with
 * note…" or "Deny…", and what a submitted modal decides. Nothing is decided
 * here: step 2 ({@linkcode handleDecision}) checks and carries it out.
 *
 * @module
 */
import { askedOf, type RequestRecord } from "../requests/mod.ts";
import { DENY_MODAL_CALLBACK_ID, MAX_NOTE_LENGTH } from "../blocks/mod.ts";
import { REASON_REQUIRED_TEXT } from "./sentences.ts";

/** What step 1 hands to step 2 (the collect step's outputs). */
export type CollectedDecision = {
  request_id: string;
  decision: "approve" | "deny" | "none";
  note: string;
  actor: string;
};

/**
 * Whether `actor` gets a modal to decide `record`: only someone asked (its
 * approver, or each person a two-person profile or an escalation asked),
 * and only while it is pending. Step 2 tells anyone else why not.
 */
export function mayStillDecide(record: RequestRecord, actor: string): boolean {
  return record.state === "pending" && askedOf(record).includes(actor);
}

/**
 * What a submitted decision modal decides: a denial (which needs a reason)
 * or an approval, with the text cut to {@linkcode MAX_NOTE_LENGTH}; or the
 * error to show on the form.
 *
 * @example
 * ```ts
 * submittedDecision(DENY_MODAL_CALLBACK_ID, "");
 * // { ok: false, error: "Say why, so the requester knows." }
 * submittedDecision(NOTE_MODAL_CALLBACK_ID, "Until Friday");
 * // { ok: true, decision: "approve", note: "Until Friday" }
 * ```
 */
export function submittedDecision(
  callbackId: string | undefined,
  typed: string,
):
  | { ok: true; decision: "approve" | "deny"; note: string }
  | { ok: false; error: string } {
  const note = typed.slice(0, MAX_NOTE_LENGTH);
  const deny = callbackId === DENY_MODAL_CALLBACK_ID;
  if (deny && !note) return { ok: false, error: REASON_REQUIRED_TEXT };
  return { ok: true, decision: deny ? "deny" : "approve", note };
}
