/**
 * The record as the store hands it out: the stored row, checked once where
 * it enters the app, plus what the row means in types ({@linkcode
 * TypedRecord}): its target (a device or a group) and its scheduled events.
 * Those two are read from the row's own fields and never stored:
 * {@linkcode toRow} gives back exactly the row the datastore holds.
 *
 * @module
 */
import { RequestRowSchema } from "./record.ts";
import type { RequestRecord } from "./record.ts";
import { type RecordTarget, recordTarget } from "./record_target.ts";
import { eventsOf, type ScheduledEvent } from "./record_schedule.ts";

/**
 * A request record read from the store: the row's fields, and what they
 * mean. `target` and `events` follow the row's `attribute`, `device_id`,
 * `login` and `schedule` as read; a record whose schedule changes keeps
 * them true through `withSchedule` (a plain spread leaves the old
 * `events`). Writing stores the row's fields only.
 */
export type TypedRecord = RequestRecord & {
  /** What it grants on: from `attribute`, `device_id` and `login`. */
  readonly target: RecordTarget;
  /** Its scheduled triggers: from `schedule`, in stored order. */
  readonly events: readonly ScheduledEvent[];
};

/** The fields a {@linkcode TypedRecord} adds to its row (never stored). */
export const DERIVED_FIELDS = ["target", "events"] as const;

/**
 * A stored row, checked and read into a {@linkcode TypedRecord}: the one
 * place rows from the datastore are trusted. Rows written by earlier
 * versions (without `indexed`, with the unused `review_execution`) read
 * the same way.
 *
 * @example
 * ```ts
 * const parsed = RequestRecordSchema.safeParse(res.item);
 * if (parsed.success) parsed.data.target.kind; // "device" | "group"
 * ```
 */
export const RequestRecordSchema = RequestRowSchema.transform(
  (row): TypedRecord => ({
    ...row,
    target: recordTarget(row),
    events: eventsOf(row),
  }),
);

/**
 * The row to store for a record: its fields without the derived ones,
 * everything else as it is (pure).
 *
 * @example
 * ```ts
 * await client.apps.datastore.put({ datastore: "requests", item: toRow(record) });
 * ```
 */
export function toRow(record: RequestRecord): RequestRecord {
  if (!DERIVED_FIELDS.some((field) => field in record)) return record;
  const { target: _target, events: _events, ...row } = record as TypedRecord;
  return row;
}
