/**
 * The claim that makes a decision happen once.
 *
 * Slack datastores have no conditional write, so "exactly one decision" uses
 * claim-and-settle: a decider writes its claim (a random token), waits until
 * any competitor that read the record before that write has written too, then
 * reads the record back. Only the decider whose token is still there goes on;
 * everyone else is shown the decision that won.
 *
 * @module
 */
import { RecordError } from "./datastore_calls.ts";
import { type RequestRecord, withEvent } from "./record.ts";
import type { RequestStore } from "./store.ts";
import type { TypedRecord } from "./typed_record.ts";

/** How long after a claim competitors may still be writing theirs. */
export const DEFAULT_SETTLE_MS = 1_500;

/**
 * The claim's settle time for this app: {@linkcode DEFAULT_SETTLE_MS}, unless
 * `CLAIM_SETTLE_MS` says otherwise. Only the test suite sets it, to a short
 * wait for flows where nobody races; the race tests and production keep the
 * real one.
 *
 * @example
 * ```ts
 * settleMsFrom({}); // 1500
 * settleMsFrom({ CLAIM_SETTLE_MS: "100" }); // 100
 * ```
 */
export function settleMsFrom(env: Record<string, string | undefined>): number {
  const ms = Number(env.CLAIM_SETTLE_MS);
  return Number.isInteger(ms) && ms > 0 ? ms : DEFAULT_SETTLE_MS;
}
/** A claim older than this whose decider never finished was cut off. */
export const CLAIM_LEASE_MS = 60_000;

/** What a claim reads and writes: a {@linkcode RequestStore}, or a fake. */
export type ClaimStore = Pick<RequestStore, "get" | "put">;

/** The outcome of trying to decide a pending request. */
export type Claim =
  | { won: true; record: TypedRecord }
  | { won: false; record: TypedRecord };

/** A decision to claim on a pending request. */
export type ClaimedDecision = {
  /** Expired and cancelled end a pending request without a decider. */
  state: "approved" | "denied" | "expired" | "cancelled";
  actor: string;
  now: Date;
  plannedExpiry?: Date;
  /** The approver's note (approved) or reason (denied). */
  note?: string;
};

/**
 * The record with `decision` written on it and the claim's `token` (pure).
 */
export function claimedRecord(
  record: RequestRecord,
  decision: ClaimedDecision,
  token: string,
): RequestRecord {
  return withEvent(
    {
      ...record,
      state: decision.state,
      decided_by: decision.actor,
      decided_at: decision.now.toISOString(),
      claim_token: token,
      ...(decision.plannedExpiry
        ? { planned_expiry: decision.plannedExpiry.toISOString() }
        : {}),
      ...(decision.note ? { decision_note: decision.note } : {}),
      ...(decision.state === "expired" || decision.state === "cancelled"
        ? { ended_by: decision.actor, ended_at: decision.now.toISOString() }
        : {}),
    },
    decision.state,
    decision.actor,
    decision.now,
    decision.note,
  );
}

/**
 * Decides a pending request at most once. Writes the decision with a fresh
 * token, waits `settleMs`, and reads back: the decision stands only if the
 * token is still the stored one. A claim that lost to a step which left the
 * request pending (one approval of several, an escalation) has not been
 * decided against: it is made again on top of that step.
 *
 * @example
 * ```ts
 * const claim = await claimDecision(store, record, {
 *   state: "approved",
 *   actor: approverId,
 *   now: new Date(),
 * }, settleMsFrom(env));
 * if (!claim.won) return alreadyDecidedText(claim.record);
 * ```
 */
export async function claimDecision(
  store: ClaimStore,
  record: RequestRecord,
  decision: ClaimedDecision,
  settleMs = DEFAULT_SETTLE_MS,
): Promise<Claim> {
  return await claimStep(
    store,
    record,
    (current) => claimedRecord(current, decision, ""),
    settleMs,
  );
}

/** How many times a step that keeps losing to pending steps is tried. */
export const MAX_STEP_TRIES = 8;

/**
 * Claims one change to a pending request, like a decision: `change` makes
 * the record to write from the current one (null: nothing to write, e.g.
 * an approval already counted). Writes it with a fresh `claim_token`,
 * waits `settleMs`, reads back; the change stands only if the token is
 * still the stored one.
 *
 * Why this makes counting approvals race-safe without a conditional write:
 * every change to a pending request (a decision, one approval, the prompts
 * an escalation adds) is such a claimed step, so the steps that stand form
 * one sequence, each written on top of the one before (a competitor that
 * read the record before our write has written by the time we read back,
 * and only one token survives). A step that lost to a step which left the
 * request pending is made again from the record as now stored (so two
 * racing approvals both count, one after the other); a step that lost to a
 * decision is not. Each standing approval adds exactly one to the count, so
 * exactly one of them reaches the number required, and only that one
 * writes the approved state that the grant follows.
 *
 * @example
 * ```ts
 * const claim = await claimStep(store, record, (current) =>
 *   withApproval(current, actor, new Date()), settleMsFrom(env));
 * if (claim.won && claim.record.state === "approved") console.log("grant");
 * ```
 */
export async function claimStep(
  store: ClaimStore,
  record: RequestRecord,
  change: (current: RequestRecord) => RequestRecord | null,
  settleMs = DEFAULT_SETTLE_MS,
): Promise<Claim> {
  let current = record;
  for (let attempt = 1;; attempt++) {
    const next = change(current);
    if (!next) {
      return { won: false, record: await settled(store, record.id, 0) };
    }
    const token = crypto.randomUUID();
    await store.put({ ...next, claim_token: token });
    const stored = await settled(store, record.id, settleMs);
    if (stored.claim_token === token) return { won: true, record: stored };
    if (stored.state !== "pending" || attempt >= MAX_STEP_TRIES) {
      return { won: false, record: stored };
    }
    current = stored;
  }
}

/**
 * Whether a claim was made so long ago that its decider must have died (a
 * decision handed on to a later event is leased until `lease_until`).
 */
export function claimIsStale(record: RequestRecord, now: Date): boolean {
  const at = record.decided_at ? Date.parse(record.decided_at) : 0;
  const lease = record.lease_until ? Date.parse(record.lease_until) : 0;
  return now.getTime() - at > CLAIM_LEASE_MS && now.getTime() > lease;
}

/**
 * Makes sure only one delivery of a pending request's review step asks the
 * approver (Slack may deliver a step more than once, even at once): writes
 * a fresh token, waits `settleMs`, reads back. The winner gets the record as
 * stored; the others learn that another delivery is asking.
 *
 * @example
 * ```ts
 * const turn = await claimPrompt(store, record, settleMsFrom(env));
 * if (!turn.won) return; // another delivery asks the approver
 * ```
 */
export async function claimPrompt(
  store: ClaimStore,
  record: RequestRecord,
  settleMs = DEFAULT_SETTLE_MS,
): Promise<Claim> {
  const token = crypto.randomUUID();
  await store.put({ ...record, prompt_claim: token });
  const stored = await settled(store, record.id, settleMs);
  return { won: stored.prompt_claim === token, record: stored };
}

/** The record as stored once `settleMs` have passed since a claim. */
async function settled(
  store: ClaimStore,
  id: string,
  settleMs: number,
): Promise<TypedRecord> {
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const stored = await store.get(id);
  if (!stored) throw new RecordError(`request ${id} disappeared`);
  return stored;
}
