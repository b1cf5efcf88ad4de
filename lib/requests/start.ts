/**
 * Access that starts later: the rules for a request's optional start (the
 * form's date and time, in Unix seconds as Slack's `datetimepicker` sends
 * it), and reading it back from the record. A request approved before its
 * start is `scheduled` ("approved, starts at …"); its grant is written by
 * the `start` scheduled event. One approved after its start time starts at
 * approval, with its full duration.
 *
 * @module
 */
import type { RequestRecord } from "./record.ts";

/** How far ahead a start may be chosen. */
export const MAX_START_AHEAD_SECONDS = 7 * 24 * 60 * 60;

/**
 * A start this close behind the submission still counts as "now": the
 * picker chooses whole minutes, so the current minute is already past.
 */
export const START_PAST_GRACE_SECONDS = 5 * 60;

/** The form's message for a start that is no time. */
export const START_UNREADABLE =
  "Choose a date and a time, or leave both empty to start as soon as it is approved.";
/** The form's message for a start that has passed. */
export const START_PASSED =
  "That time has already passed. Choose a later one, or leave it empty to start as soon as it is approved.";
/** The form's message for a start too far ahead. */
export const START_TOO_FAR =
  "Choose a start within the next 7 days, or leave it empty to start as soon as it is approved.";

/**
 * Why the form's start (Unix seconds as text; empty or absent: now) cannot
 * be used, or null: it must be a time, not passed, within 7 days.
 *
 * @example
 * ```ts
 * startProblem(undefined, now); // null: starts when approved
 * startProblem(String(now.getTime() / 1000 - 3600), now); // START_PASSED
 * ```
 */
export function startProblem(
  value: string | undefined,
  now = new Date(),
): string | null {
  if (value === undefined || value === "") return null;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds <= 0) return START_UNREADABLE;
  const nowSeconds = now.getTime() / 1000;
  if (seconds < nowSeconds - START_PAST_GRACE_SECONDS) return START_PASSED;
  if (seconds > nowSeconds + MAX_START_AHEAD_SECONDS) return START_TOO_FAR;
  return null;
}

/**
 * The start the request keeps, as the record stores it (ISO time), or
 * undefined when it starts at approval: no start, or one not after `now`.
 * Only for a value {@linkcode startProblem} accepted.
 *
 * @example
 * ```ts
 * const starts_at = startsAtFromForm(form.values.start, new Date());
 * const request = { ...fields, ...(starts_at ? { starts_at } : {}) };
 * ```
 */
export function startsAtFromForm(
  value: string | undefined,
  now: Date,
): string | undefined {
  const ms = Number(value ?? "") * 1000;
  if (!Number.isFinite(ms) || ms <= now.getTime()) return undefined;
  return new Date(ms).toISOString();
}

/**
 * When the request's access is to start, or null when it starts at
 * approval (no start, or one that is not a time).
 *
 * @example
 * ```ts
 * const start = startOf(record); // Date | null
 * ```
 */
export function startOf(record: Pick<RequestRecord, "starts_at">): Date | null {
  const ms = Date.parse(record.starts_at ?? "");
  return Number.isFinite(ms) ? new Date(ms) : null;
}

/**
 * Whether a request decided at `now` waits for its start (which is later)
 * rather than being granted at once.
 *
 * @example
 * ```ts
 * if (startsLater(record, now)) await scheduleStart(ctx, record, r);
 * ```
 */
export function startsLater(
  record: Pick<RequestRecord, "starts_at">,
  now: Date,
): boolean {
  const start = startOf(record);
  return start !== null && start.getTime() > now.getTime();
}

/**
 * When an approval at `now` grants from: the start if it is later, else
 * now (approved after its start time: it starts at approval).
 *
 * @example
 * ```ts
 * const end = grantFrom(record, now).getTime() + record.duration_seconds * 1000;
 * ```
 */
export function grantFrom(
  record: Pick<RequestRecord, "starts_at">,
  now: Date,
): Date {
  return startsLater(record, now) ? startOf(record)! : now;
}

/** Whether the record is approved and waits for its start. */
export function isScheduledGrant(
  record: Pick<RequestRecord, "state">,
): boolean {
  return record.state === "scheduled";
}

/**
 * How long a pending request waits for its decision, in seconds from its
 * creation: the profile's `requestTimeoutSeconds`, or until its start when
 * that is later, since a request that starts later may be approved any
 * time before it starts.
 *
 * @example
 * ```ts
 * const timeout = decisionTimeoutSeconds(record, profile.requestTimeoutSeconds);
 * const due = Date.parse(record.created_at) + timeout * 1000;
 * ```
 */
export function decisionTimeoutSeconds(
  record: Pick<RequestRecord, "starts_at" | "created_at">,
  requestTimeoutSeconds: number,
): number {
  const start = startOf(record);
  const created = Date.parse(record.created_at);
  if (!start || !Number.isFinite(created)) return requestTimeoutSeconds;
  return Math.max(
    requestTimeoutSeconds,
    Math.ceil((start.getTime() - created) / 1000),
  );
}
