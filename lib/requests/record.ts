/**
 * The request record as stored: where a request is in its life, the row
 * the `requests` datastore holds, and the pure steps that change it
 * (a new record, a recorded event, everyone notified).
 *
 * The row's shape is the datastore's (`datastores/requests.ts`): the same
 * attribute names, so rows written by earlier versions of the app still
 * read. What a row means (a device or a group, its scheduled events) is
 * parsed from it in `typed_record.ts`.
 *
 * @module
 */
import { z } from "zod";
import type { AccessRequest } from "./access_request.ts";
import type { Device } from "../tailscale/mod.ts";

/**
 * Where a request is in its life: pending → approved → granted → revoked |
 * expired; pending → denied | cancelled | expired (nobody decided in time);
 * failed wherever something could not be done; pending → scheduled
 * (approved, waiting for its `starts_at`) → approved at the start.
 */
export const REQUEST_STATES = [
  "pending",
  "approved",
  "granted",
  "failed",
  "denied",
  "cancelled",
  "expired",
  "revoked",
  "scheduled",
] as const;
/** Where a request is in its life. */
export type RequestState = typeof REQUEST_STATES[number];

/** Where a group grant's membership is (see `membership` on the record). */
export const MEMBERSHIP_STATES = [
  "adding",
  "added",
  "present",
  "removed",
] as const;
/** One of {@linkcode MEMBERSHIP_STATES}. */
export type MembershipState = typeof MEMBERSHIP_STATES[number];

/** One recorded step, as stored (the datastore's `RequestTransition`). */
export const TransitionSchema = z.object({
  event: z.string(),
  actor: z.string(),
  at: z.string(),
  note: z.string().optional(),
});
/** One recorded step. */
export type Transition = z.output<typeof TransitionSchema>;

/**
 * A row of the `requests` datastore, as stored. Its attributes are the
 * datastore's, one for one (a test holds them together).
 */
export const RequestRowSchema = z.object({
  id: z.string().min(1),
  requester: z.string(),
  approver: z.string(),
  attribute: z.string(),
  device_id: z.string(),
  /** For a group profile: the Tailscale login added to the group. */
  login: z.string().optional(),
  /**
   * For a group profile, the membership's state: `adding` (the write may
   * have happened), `added` (by this app, so it removes it), `present`
   * (a member before the grant: never removed), `removed`.
   */
  membership: z.enum(MEMBERSHIP_STATES).optional(),
  duration_seconds: z.number().int().positive(),
  reason: z.string(),
  state: z.enum(REQUEST_STATES),
  created_at: z.string(),
  decided_by: z.string().optional(),
  decided_at: z.string().optional(),
  claim_token: z.string().optional(),
  planned_expiry: z.string().optional(),
  expires_at: z.string().optional(),
  error: z.string().optional(),
  prompt_channel: z.string().optional(),
  prompt_ts: z.string().optional(),
  notified: z.boolean().optional(),
  notify_failures: z.array(z.string()).optional(),
  device_snapshot: z.string().optional(),
  /** For an extension: the grant it extends. */
  extends: z.string().optional(),
  /** The approver's note on an approval, or their reason for a denial. */
  decision_note: z.string().optional(),
  /** When the access was first granted (extensions keep it). */
  granted_at: z.string().optional(),
  /** Who ended it (revoked, cancelled), when, and why. */
  ended_by: z.string().optional(),
  ended_at: z.string().optional(),
  end_reason: z.string().optional(),
  /** Rows written before decisions had their own workflow: unused now. */
  review_execution: z.string().optional(),
  /** The claim of the one delivery of the review step that asks the approver. */
  prompt_claim: z.string().optional(),
  /** A decision handed on past Slack's time limit is its resumer's until then. */
  lease_until: z.string().optional(),
  /** Scheduled triggers for this record, as "event:trigger_id". */
  schedule: z.array(z.string()).optional(),
  history: z.array(TransitionSchema).default([]),
  /**
   * Whether the request's item in `live_requests` was written (set by
   * `RequestStore.put` while the record is live, cleared when it is not).
   */
  indexed: z.boolean().optional(),
  /** When the access is to start, if later than its approval (ISO time). */
  starts_at: z.string().optional(),
  /** An emergency grant made without an approver (the profile's breakGlass). */
  break_glass: z.boolean().optional(),
  /** Break-glass: the approver who acknowledged it, and when. */
  acknowledged_by: z.string().optional(),
  acknowledged_at: z.string().optional(),
  /**
   * Every approver's prompt, as "user:channel:ts" (two-person approval and
   * escalation ask several people). Rows written before it have only
   * `prompt_channel`/`prompt_ts`, read as one prompt.
   */
  prompts: z.array(z.string()).optional(),
});
/** A request record: the stored row's fields. */
export type RequestRecord = z.output<typeof RequestRowSchema>;

/**
 * The new record for a submitted request; `device` is the device as the
 * submission saw it, kept to describe it until the decision re-reads it.
 *
 * @example
 * ```ts
 * const record = newRecord(request, new Date(), device);
 * await new RequestStore(client).put(record);
 * ```
 */
export function newRecord(
  request: AccessRequest,
  now: Date,
  device?: Device,
): RequestRecord {
  return {
    ...request,
    ...(device ? { device_snapshot: JSON.stringify(device) } : {}),
    state: "pending",
    created_at: now.toISOString(),
    history: [{
      event: "requested",
      actor: request.requester,
      at: now.toISOString(),
      note: `approver ${request.approver}`,
    }],
  };
}

/** Marks everyone told, with what could not be delivered (pure). */
export function withNotified<R extends RequestRecord>(
  record: R,
  failures: string[],
  now: Date,
): R {
  return withEvent(
    { ...record, notified: true, notify_failures: failures },
    "notified",
    "app",
    now,
    failures.length ? failures.join("; ") : undefined,
  );
}

/**
 * Appends a transition (pure). A record read from the store stays one: the
 * history is not what its derived fields are read from.
 *
 * @example
 * ```ts
 * const ended = withEvent(
 *   { ...record, state: "revoked" },
 *   "revoked",
 *   actor,
 *   new Date(),
 * );
 * ```
 */
export function withEvent<R extends RequestRecord>(
  record: R,
  event: string,
  actor: string,
  now: Date,
  note?: string,
): R {
  return {
    ...record,
    history: [...record.history, {
      event,
      actor,
      at: now.toISOString(),
      ...(note ? { note } : {}),
    }],
  };
}

/** States in which the app still acts on a request. */
export const LIVE_STATES: readonly RequestState[] = [
  "pending",
  "approved",
  "granted",
  "scheduled",
];
/** Memberships the app may still have to remove (`OWNED_MEMBERSHIPS`). */
export const LIVE_MEMBERSHIPS: readonly MembershipState[] = ["adding", "added"];

/**
 * Whether the app still acts on a request, and so keeps it in the
 * `live_requests` index: pending, approved or granted, or holding a group
 * membership the app added (or may have). An extension's own record, once
 * granted, is history: the grant it extended carries the new end.
 */
export function isLive(record: RequestRecord): boolean {
  if (LIVE_MEMBERSHIPS.includes(record.membership ?? "removed")) return true;
  if (record.state === "granted" && record.extends) return false;
  return LIVE_STATES.includes(record.state);
}

/** When a record last changed, in epoch ms (its latest recorded time). */
export function lastChange(record: RequestRecord): number {
  const times = [
    record.created_at,
    record.decided_at,
    record.ended_at,
    ...record.history.map((h) => h.at),
  ].map((t) => Date.parse(t ?? "")).filter(Number.isFinite);
  return times.length ? Math.max(...times) : NaN;
}
