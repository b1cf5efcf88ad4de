/**
 * Scheduled triggers' `schedule` as workflows.triggers.create checks it: a
 * start time in the future (wall time in the schedule's timezone unless it
 * carries an offset), a known timezone, and a frequency Slack offers.
 *
 * @module
 */
import { invalidArguments, isObject, SlackApiError } from "./api.ts";

/** Values of a scheduled trigger's `schedule.frequency.type`. */
const SCHEDULE_FREQUENCIES = new Set([
  "once",
  "hourly",
  "daily",
  "weekly",
  "monthly",
  "yearly",
]);

/**
 * The schedule Slack stores (the timezone defaulted to UTC), or a refusal:
 * Slack refuses schedules without a valid start time in the future. `now`
 * is the emulator's clock, in epoch ms.
 */
export function checkSchedule(
  raw: unknown,
  now: number,
): Record<string, unknown> {
  if (!isObject(raw) || typeof raw.start_time !== "string") {
    throw invalidSchedule(
      "[ERROR] scheduled triggers need schedule.start_time [json-pointer:/schedule/start_time]",
    );
  }
  const timezone = raw.timezone === undefined ? "UTC" : raw.timezone;
  if (typeof timezone !== "string" || !isTimeZone(timezone)) {
    throw invalidSchedule(
      `[ERROR] unknown timezone ${
        JSON.stringify(timezone)
      } [json-pointer:/schedule/timezone]`,
    );
  }
  const start = startTimeMs(raw.start_time, timezone);
  if (start === undefined) {
    throw invalidSchedule(
      `[ERROR] start_time must be an ISO 8601 time in the future [json-pointer:/schedule/start_time]`,
    );
  }
  // Slack's answer to a start that is not in the future
  // (slack-samples/deno-triage-rotation#27).
  if (start <= now) {
    throw new SlackApiError("invalid_start_before_now");
  }
  checkFrequency(raw.frequency);
  return { ...raw, timezone };
}

function invalidSchedule(message: string): SlackApiError {
  return new SlackApiError("invalid_scheduled_trigger", {
    response_metadata: { messages: [message] },
  });
}

function checkFrequency(frequency: unknown): void {
  if (frequency === undefined) return;
  const repeats = isObject(frequency) ? frequency.repeats_every : undefined;
  if (
    !isObject(frequency) || typeof frequency.type !== "string" ||
    !SCHEDULE_FREQUENCIES.has(frequency.type) ||
    (repeats !== undefined &&
      !(Number.isInteger(repeats) && (repeats as number) >= 1))
  ) {
    throw invalidArguments([
      `[ERROR] frequency.type must be one of ${
        [...SCHEDULE_FREQUENCIES].join(", ")
      } and repeats_every a positive integer [json-pointer:/schedule/frequency]`,
    ]);
  }
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** How far `tz`'s wall clock is ahead of UTC at instant `ms`. */
function zoneOffsetMs(tz: string, ms: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: tz,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(ms);
  const part = (type: string) =>
    Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(
    part("year"),
    part("month") - 1,
    part("day"),
    part("hour"),
    part("minute"),
    part("second"),
  );
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * Epoch ms of a schedule's ISO 8601 start_time. A time without an offset is
 * wall time in the schedule's timezone, as Slack reads it.
 */
function startTimeMs(start: string, tz: string): number | undefined {
  const match =
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/i
      .exec(start);
  if (!match) return undefined;
  const asUtc = Date.parse(match[1] ? start : `${start}Z`);
  if (Number.isNaN(asUtc)) return undefined;
  if (match[1]) return asUtc;
  const guess = asUtc - zoneOffsetMs(tz, asUtc);
  return asUtc - zoneOffsetMs(tz, guess);
}
