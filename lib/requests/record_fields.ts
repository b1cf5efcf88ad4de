/**
 * Reading a record's optional fields where the request's state says they
 * are there: a granted record has its expiry, an extension names the grant
 * it extends. Instead of `record.expires_at!`, a reader asks for the field
 * and gets an {@linkcode IncompleteRecordError} naming the request and the
 * field when it is missing, rather than `undefined` travelling on.
 *
 * @module
 */
import type { RequestRecord } from "./record.ts";

/**
 * A record lacks a field its state or kind promises (a granted record
 * without `expires_at`, a group record without `login`). The app never
 * writes such a record: one means a damaged row, and whatever the reader
 * was about to do with it is not done.
 */
export class IncompleteRecordError extends Error {
  /** The request whose record is incomplete. */
  readonly requestId: string;
  /** The missing (or unusable) field, by its stored name. */
  readonly field: string;
  /**
   * @example
   * ```ts
   * throw new IncompleteRecordError(record.id, "expires_at");
   * ```
   */
  constructor(requestId: string, field: string, why = "is missing") {
    super(`request ${requestId}: ${field} ${why}`);
    this.name = "IncompleteRecordError";
    this.requestId = requestId;
    this.field = field;
  }
}

/** The record's fields that may be absent. */
export type OptionalField = {
  [K in keyof RequestRecord]-?: undefined extends RequestRecord[K] ? K
    : never;
}[keyof RequestRecord];

/**
 * The value of an optional field the reader knows is there; throws an
 * {@linkcode IncompleteRecordError} when it is not.
 *
 * @example
 * ```ts
 * const original = await store.get(requireField(record, "extends"));
 * ```
 */
export function requireField<K extends OptionalField>(
  record: RequestRecord,
  field: K,
): NonNullable<RequestRecord[K]> {
  const value = record[field];
  if (value === undefined || value === null) {
    throw new IncompleteRecordError(record.id, field);
  }
  return value as NonNullable<RequestRecord[K]>;
}

/**
 * When the access ends (`expires_at`), or null when the record has no
 * (readable) end: it was never granted.
 *
 * @example
 * ```ts
 * const end = expiryOf(record);
 * const active = end !== null && end.getTime() > now.getTime();
 * ```
 */
export function expiryOf(
  record: Pick<RequestRecord, "expires_at">,
): Date | null {
  const ms = Date.parse(record.expires_at ?? "");
  return Number.isFinite(ms) ? new Date(ms) : null;
}

/**
 * When a granted record's access ends; throws an
 * {@linkcode IncompleteRecordError} when it has no readable `expires_at`.
 *
 * @example
 * ```ts
 * const left = requireExpiry(record).getTime() - now.getTime();
 * ```
 */
export function requireExpiry(record: RequestRecord): Date {
  const end = expiryOf(record);
  if (end) return end;
  throw new IncompleteRecordError(
    record.id,
    "expires_at",
    record.expires_at === undefined ? "is missing" : "is not a time",
  );
}

/**
 * Whether the record's access ends after `at`; false when it has no end.
 *
 * @example
 * ```ts
 * const active = record.state === "granted" && expiresAfter(record, now);
 * ```
 */
export function expiresAfter(
  record: Pick<RequestRecord, "expires_at">,
  at: Date,
): boolean {
  const end = expiryOf(record);
  return end !== null && end.getTime() > at.getTime();
}

/**
 * When the access ends or is planned to: `expires_at`, else the expiry
 * chosen at approval (`planned_expiry`, before the grant is written); null
 * when there is neither (or it is not a time).
 *
 * @example
 * ```ts
 * const due = plannedEndOf(record)?.getTime() ?? NaN;
 * ```
 */
export function plannedEndOf(
  record: Pick<RequestRecord, "expires_at" | "planned_expiry">,
): Date | null {
  const ms = Date.parse(record.expires_at ?? record.planned_expiry ?? "");
  return Number.isFinite(ms) ? new Date(ms) : null;
}
