/**
 * What every way a grant ends shares: the facts its messages describe, the
 * record closed with its remaining triggers cancelled, and the history note
 * for its attribute. Internal to `lib/grants/` (not in `mod.ts`).
 *
 * @module
 */
import type { AttributeOutcome, GrantFacts } from "../blocks/mod.ts";
import type { Profile } from "../config_schema.ts";
import type { DecisionContext } from "../review/mod.ts";
import {
  type RequestRecord,
  scheduleOf,
  targetOf,
  withEvent,
  withSchedule,
} from "../requests/mod.ts";
import { cancelEvents } from "./schedule.ts";

/** What the messages about a grant say: who, what, on what, until when. */
export function factsOf(record: RequestRecord, profile: Profile): GrantFacts {
  return {
    requesterId: record.requester,
    approverId: record.approver,
    profile,
    target: targetOf(record),
    expiresAt: new Date(record.expires_at ?? 0),
  };
}

/**
 * Deletes all the record's scheduled triggers; returns the schedule left
 * (see {@linkcode cancelEvents}).
 */
export async function cancelTriggers(
  ctx: DecisionContext,
  record: RequestRecord,
): Promise<string[]> {
  return await cancelEvents(
    ctx.client,
    scheduleOf(record),
    undefined,
    ctx.deadline,
  );
}

/**
 * The record as it ends: `changes` applied (its new state, who ended it and
 * when), its remaining scheduled triggers cancelled, and `event` in its
 * history. Not stored yet.
 */
export async function closedRecord<R extends RequestRecord>(
  ctx: DecisionContext,
  current: R,
  changes: Partial<RequestRecord>,
  event: string,
  actor: string,
  now: Date,
  note: string | undefined,
): Promise<R> {
  const schedule = await cancelTriggers(ctx, current);
  return withEvent(
    withSchedule({ ...current, ...changes }, schedule),
    event,
    actor,
    now,
    note,
  );
}

/** A history note for what became of the attribute, if worth one. */
export function attributeNote(end: AttributeOutcome): string | undefined {
  switch (end.kind) {
    case "removed":
      return "attribute removed";
    case "already_gone":
      return undefined;
    case "device_gone":
      return "the device was removed from the tailnet";
    case "changed":
      return `Tailscale still has the attribute ${
        end.until ? `until ${end.until.toISOString()}` : "with no end"
      } (changed outside the app)`;
    case "unconfirmed":
      return `could not remove the attribute: ${end.error}`;
  }
}
