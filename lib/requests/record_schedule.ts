/**
 * A record's scheduled events: the one-off triggers made for it (expiry,
 * reminder, timeout, nudge, resume, escalate, a later start), stored on the row as
 * `"event:trigger_id"` strings in `schedule`. {@linkcode eventsOf} reads
 * them as {@linkcode ScheduledEvent}s; {@linkcode scheduleEntry} writes one
 * back as the row stores it.
 *
 * @module
 */
import type { RequestRecord } from "./record.ts";

/**
 * What a record's scheduled trigger asks the app to look at. The grant
 * lifecycle's events (`LIFECYCLE_EVENTS` in `lib/grants/schedule.ts`) are
 * this list: defined here, with the record that stores them, so that the
 * record needs nothing from `lib/grants/`.
 */
export const SCHEDULED_EVENTS = [
  "reminder",
  "expiry",
  "timeout",
  "nudge",
  "resume",
  "start",
  "escalate",
] as const;
/** One of {@linkcode SCHEDULED_EVENTS}. */
export type ScheduledEventKind = typeof SCHEDULED_EVENTS[number];

/** One scheduled trigger of a record: what it is for, and its ID. */
export type ScheduledEvent = { event: ScheduledEventKind; triggerId: string };

function isScheduledEventKind(event: string): event is ScheduledEventKind {
  return (SCHEDULED_EVENTS as readonly string[]).includes(event);
}

/**
 * The event a stored `"event:trigger_id"` entry names, or null when it is
 * not one (an unknown event, no trigger ID).
 *
 * @example
 * ```ts
 * parseScheduleEntry("expiry:Ft0123"); // { event: "expiry", triggerId: "Ft0123" }
 * ```
 */
export function parseScheduleEntry(entry: string): ScheduledEvent | null {
  const colon = entry.indexOf(":");
  if (colon < 0) return null;
  const event = entry.slice(0, colon);
  const triggerId = entry.slice(colon + 1);
  return triggerId && isScheduledEventKind(event) ? { event, triggerId } : null;
}

/**
 * The stored form of a scheduled event, `"event:trigger_id"`.
 *
 * @example
 * ```ts
 * scheduleEntry({ event: "expiry", triggerId: "Ft0123" }); // "expiry:Ft0123"
 * ```
 */
export function scheduleEntry(event: ScheduledEvent): string {
  return `${event.event}:${event.triggerId}`;
}

/** The record's stored schedule entries (none when it has no `schedule`). */
export function scheduleOf(record: Pick<RequestRecord, "schedule">): string[] {
  return record.schedule ?? [];
}

/**
 * The record's scheduled events, in stored order; entries that name no
 * known event are left out (the stored `schedule` keeps them).
 *
 * @example
 * ```ts
 * const expiry = eventsOf(record).find((e) => e.event === "expiry");
 * ```
 */
export function eventsOf(
  record: Pick<RequestRecord, "schedule">,
): ScheduledEvent[] {
  return scheduleOf(record).flatMap((entry) => {
    const event = parseScheduleEntry(entry);
    return event ? [event] : [];
  });
}

/**
 * Whether any of `events` is scheduled among `entries` (a record's
 * `schedule`, or entries kept after cancelling some).
 *
 * @example
 * ```ts
 * if (hasScheduled(scheduleOf(record), ["nudge", "timeout"])) { ... }
 * ```
 */
export function hasScheduled(
  entries: readonly string[],
  events: readonly ScheduledEventKind[],
): boolean {
  return entries.some((entry) =>
    events.some((event) => entry.startsWith(`${event}:`))
  );
}

/**
 * The record with `entries` as its schedule (pure); a record read from the
 * store gets its parsed `events` again, so the two never disagree.
 *
 * @example
 * ```ts
 * const ended = withSchedule(record, await cancelEvents(client, scheduleOf(record)));
 * ```
 */
export function withSchedule<R extends RequestRecord>(
  record: R,
  entries: string[],
): R {
  return "events" in record
    ? { ...record, schedule: entries, events: eventsOf({ schedule: entries }) }
    : { ...record, schedule: entries };
}

/**
 * The record with `entries` added after its schedule (pure).
 *
 * @example
 * ```ts
 * await store.put(withScheduled(record, await scheduleEvents(client, id, planned)));
 * ```
 */
export function withScheduled<R extends RequestRecord>(
  record: R,
  entries: readonly string[],
): R {
  return withSchedule(record, [...scheduleOf(record), ...entries]);
}
