/**
 * Slack's time limits for a deployed function's handlers, as deadlines the
 * app works to: whatever would not fit is handed on (a scheduled resume, the
 * periodic check) or said plainly, never cut off by Slack halfway.
 *
 * @module
 */

/** Slack's limits: 60 s for `function_executed`, 10 s for interactivity. */
export const SLACK_LIMITS_MS = {
  function: 60_000,
  interaction: 10_000,
} as const;

/** Which kind of handler: the step itself, or a click, submission or search. */
export type HandlerKind = keyof typeof SLACK_LIMITS_MS;

/**
 * Kept free at the end of every handler: process start-up before the clock
 * starts, and the last Slack calls (a reply, an update) after the work.
 */
const MARGIN_MS = { function: 8_000, interaction: 2_500 } as const;

/** A point in time a handler's work must be done by. */
export class Deadline {
  readonly #at: number;

  /** A deadline `ms` from now (by the wall clock the app sees). */
  constructor(ms: number, now = Date.now()) {
    this.#at = now + ms;
  }

  /**
   * The deadline for a handler of this kind that started at `now`: Slack's
   * limit less a margin. `env.HANDLER_DEADLINE_MS` overrides the length
   * (tests and slow networks).
   *
   * @example
   * ```ts
   * const deadline = Deadline.forHandler("interaction");
   * deadline.remainingMs(); // about 7500
   * ```
   */
  static forHandler(
    kind: HandlerKind,
    env: Record<string, string | undefined> = {},
    now = Date.now(),
  ): Deadline {
    const override = Number(env.HANDLER_DEADLINE_MS);
    return new Deadline(
      Number.isFinite(override) && override > 0
        ? override
        : SLACK_LIMITS_MS[kind] - MARGIN_MS[kind],
      now,
    );
  }

  /** Milliseconds left (0 once passed). */
  remainingMs(now = Date.now()): number {
    return Math.max(0, this.#at - now);
  }

  /** Whether `ms` more work still fits, keeping `reserveMs` free. */
  fits(ms: number, reserveMs = 0, now = Date.now()): boolean {
    return this.remainingMs(now) - reserveMs >= ms;
  }

  /** A deadline `reserveMs` earlier: for work that must leave time after it. */
  less(reserveMs: number): Deadline {
    return new Deadline(this.#at - reserveMs - Date.now());
  }
}
