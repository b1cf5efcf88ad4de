/**
 * Grant durations: the presets offered in the form and how durations read.
 *
 * @module
 */

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Preset grant lengths, shortest first. */
export const PRESET_SECONDS: readonly number[] = [
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  4 * HOUR,
  8 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  3 * DAY,
  5 * DAY,
  7 * DAY,
];

/**
 * The durations a profile offers: every preset up to `maxSeconds`, and
 * `maxSeconds` itself when it is not a preset, so that a profile's maximum is
 * always offered exactly (never rounded down, never an empty list).
 *
 * @example
 * ```ts
 * durationChoices(3 * 3600); // [300, 900, 1800, 3600, 7200, 10800]
 * ```
 */
export function durationChoices(maxSeconds: number): number[] {
  const choices = PRESET_SECONDS.filter((s) => s <= maxSeconds);
  if (choices.at(-1) !== maxSeconds) choices.push(maxSeconds);
  return choices;
}

/**
 * The duration preselected in the form: one hour if offered, else the
 * longest offered below it.
 *
 * @example
 * ```ts
 * defaultDuration(86_400); // 3600
 * defaultDuration(900); // 900
 * ```
 */
export function defaultDuration(maxSeconds: number): number {
  return Math.min(HOUR, maxSeconds);
}

/**
 * A duration in words: "1 hour", "90 minutes", "1 day 6 hours",
 * "45 seconds".
 *
 * @example
 * ```ts
 * formatDuration(5400); // "90 minutes"
 * formatDuration(108_000); // "1 day 6 hours"
 * ```
 */
export function formatDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.round(seconds);
  const days = Math.floor(rest / DAY);
  rest -= days * DAY;
  const hours = Math.floor(rest / HOUR);
  rest -= hours * HOUR;
  const minutes = Math.floor(rest / MINUTE);
  rest -= minutes * MINUTE;
  // "90 minutes" reads better than "1 hour 30 minutes" for short grants.
  if (days === 0 && hours === 1 && minutes > 0) {
    return `${plural(60 + minutes, "minute")}${
      rest ? ` ${plural(rest, "second")}` : ""
    }`;
  }
  if (days) parts.push(plural(days, "day"));
  if (hours) parts.push(plural(hours, "hour"));
  if (minutes) parts.push(plural(minutes, "minute"));
  if (rest || parts.length === 0) parts.push(plural(rest, "second"));
  return parts.join(" ");
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];

/**
 * A moment as people read it where Slack's `<!date^…>` tokens do not
 * render (plain-text field errors, escaped error lines): day, month,
 * year and minute in UTC, saying so.
 *
 * @example
 * ```ts
 * formatUtc(new Date("2030-01-01T14:00:00Z")); // "1 Jan 2030, 14:00 UTC"
 * ```
 */
export function formatUtc(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getUTCDate()} ${
    MONTHS[date.getUTCMonth()]
  } ${date.getUTCFullYear()}, ${pad(date.getUTCHours())}:${
    pad(date.getUTCMinutes())
  } UTC`;
}
