/**
 * Writing an approved request's grant in Tailscale: the posture attribute
 * with its planned expiry, or the login into the profile's group. A write
 * that does not fit in its handler's time is thrown as
 * {@linkcode GrantDeferred}, for the decision to hand on; one that Tailscale
 * refuses ends the record as failed.
 *
 * @module
 */
import {
  approversOf,
  type RequestRecord,
  type RequestStore,
  withEvent,
} from "../requests/mod.ts";
import { lookupPerson, type SlackPerson } from "../people/mod.ts";
import type { Profile } from "../config_schema.ts";
import { TailscaleApiError, type TailscaleClient } from "../tailscale/mod.ts";
import type { Deadline } from "../slack/mod.ts";
import type { SlackClient } from "../context.ts";
import { errorText } from "../text.ts";
import { grantComment } from "./comment.ts";
import { GroupGrantError, joinGroup } from "./group_grants.ts";
import type { Target } from "./target.ts";

/** What writing a grant needs from the event it runs in. */
export type GrantContext = {
  client: SlackClient;
  store: RequestStore;
  /** When the event's handler must be done (Slack's time limit). */
  deadline?: Deadline;
};

/**
 * A request as its decision reads it afresh: the profile from today's
 * config, a Tailscale client, what the grant is on, and the requester.
 */
export type ResolvedRequest = {
  profile: Profile;
  tailscale: TailscaleClient;
  target: Target;
  requester: SlackPerson | null;
};

/**
 * A grant that did not fit in its handler's time (Tailscale slow, or a long
 * `Retry-After`); `record` is the record as it must be kept.
 */
export class GrantDeferred extends Error {
  /** The record as it must be kept. */
  readonly record: RequestRecord;
  /** `reason`: what ran out of time, for the record's history. */
  constructor(record: RequestRecord, reason: string) {
    super(reason);
    this.name = "GrantDeferred";
    this.record = record;
  }
}

/** Whether an error means "out of time", not "Tailscale said no". */
export function isOutOfTime(e: unknown): boolean {
  const cause = e instanceof GroupGrantError ? e.cause : e;
  return cause instanceof TailscaleApiError && cause.outOfTime;
}

/** The record of a grant that failed with `error` (also logged). */
export function failedGrant(
  record: RequestRecord,
  error: string,
  now: Date,
): RequestRecord {
  console.error(`request ${record.id}: grant failed: ${error}`);
  return withEvent(
    { ...record, state: "failed", error },
    "failed",
    "app",
    now,
    error,
  );
}

/** When an approved grant ends: as planned at the claim, else from now. */
export function plannedEnd(record: RequestRecord): Date {
  return new Date(
    record.planned_expiry ?? Date.now() + record.duration_seconds * 1000,
  );
}

/**
 * Writes the attribute with the planned expiry; returns true when a resumed
 * decision finds it already written (the earlier run wrote, then died).
 */
export async function writeAttributeGrant(
  ctx: GrantContext,
  record: RequestRecord,
  r: ResolvedRequest,
  planned: Date,
  resumed: boolean,
): Promise<boolean> {
  // Only a resumed decision can have written already: a fresh claim has
  // not, so it saves Tailscale the read.
  if (resumed) {
    const existing = await r.tailscale.getAttributes(record.device_id);
    const expiry = existing.expiries[record.attribute];
    if (
      existing.attributes[record.attribute] === true &&
      expiry !== undefined &&
      Math.abs(Date.parse(expiry) - planned.getTime()) < 1000
    ) return true;
  }
  // Whoever's approval counted: the named approver, an escalated one who
  // decided instead, or every approver of a two-person approval.
  const approverIds = approversOf(record);
  const [approver, ...counted] = await Promise.all(
    [record.approver, ...approverIds].map((id) => lookupPerson(ctx.client, id)),
  );
  await r.tailscale.setPostureAttribute(record.device_id, record.attribute, {
    value: true,
    expiry: planned,
    comment: grantComment({
      requester: r.requester,
      requesterId: record.requester,
      approver,
      approverId: record.approver,
      reason: record.reason,
      breakGlass: record.break_glass,
      approvers: approverIds.map((id, i) => ({ person: counted[i], id })),
    }),
  });
  return false;
}

/**
 * Grants an approved (new) request: the attribute, or the group membership.
 * Returns the record as granted, or as failed when Tailscale said no;
 * throws {@linkcode GrantDeferred} when out of time.
 *
 * @example
 * ```ts
 * const done = await writeApprovedGrant(ctx, approvedRecord, resolved, false);
 * // done.state: "granted" or "failed"
 * ```
 */
export async function writeApprovedGrant(
  ctx: GrantContext,
  record: RequestRecord,
  r: ResolvedRequest,
  resumed: boolean,
): Promise<RequestRecord> {
  const planned = plannedEnd(record);
  const now = new Date();
  let current = record;
  try {
    let already = false;
    if (r.target.kind === "group") {
      current = await joinGroup(
        { client: ctx.client, store: ctx.store, tailscale: r.tailscale },
        record,
        resumed,
      );
    } else {
      already = await writeAttributeGrant(ctx, record, r, planned, resumed);
    }
    // Its reminder and expiry are scheduled while everyone is told.
    return withEvent(
      {
        ...current,
        state: "granted",
        expires_at: planned.toISOString(),
        granted_at: record.granted_at ?? now.toISOString(),
      },
      "granted",
      "app",
      now,
      current.membership === "present"
        ? `${current.login} was already in ${current.attribute}; nothing added, until ${planned.toISOString()}`
        : already
        ? `found already set until ${planned.toISOString()}`
        : `until ${planned.toISOString()}`,
    );
  } catch (e) {
    if (e instanceof GroupGrantError) current = e.record;
    if (isOutOfTime(e)) throw new GrantDeferred(current, errorText(e));
    return failedGrant(current, errorText(e), now);
  }
}
