/**
 * How long the Tailscale client waits: request timeouts, token renewal,
 * and when and after how long a failed call is tried again. Pure values and
 * functions, so the retry rules can be pinned by unit tests.
 *
 * @module
 */
import type { Deadline } from "../slack/mod.ts";
import type { TailscaleApiError } from "./errors.ts";

/** Tokens are replaced this long before they expire, so none dies mid-call. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
/** An answer slower than this is treated as a network failure. */
export const REQUEST_TIMEOUT_MS = 10_000;
/**
 * The whole device list has no pagination (spec: "All results are returned
 * at once"): 20,000 devices are about 15 MB, which needs more than the usual
 * timeout. Only events with Slack's 60 s budget list the whole tailnet.
 */
export const FULL_LISTING_TIMEOUT_MS = 40_000;
/** The least time worth starting another attempt with. */
export const MIN_ATTEMPT_MS = 1_000;

/** How transient failures (429, 5xx, no answer) are retried. */
export type RetryPolicy = {
  /** Total time a call may spend retrying; stays inside a function's budget. */
  budgetMs: number;
  /** First backoff; doubles each attempt, with full jitter. */
  baseDelayMs: number;
  /** Longest single backoff. */
  maxDelayMs: number;
};

/** The default: retry for up to 20 s, backing off from 250 ms to 4 s. */
export const DEFAULT_RETRY: RetryPolicy = {
  budgetMs: 20_000,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
};

/**
 * Whether a failure may go away by itself (rate limit, server error, no
 * answer), so the call is worth trying again.
 *
 * @example
 * ```ts
 * if (!isTransient(error)) throw error;
 * ```
 */
export function isTransient(e: TailscaleApiError): boolean {
  return e.kind === "rate_limited" || e.kind === "server" ||
    e.kind === "network";
}

/**
 * How long to wait before attempt `attempt + 1`: Tailscale's `Retry-After`
 * when it sent one, else capped exponential backoff with jitter (between
 * half and all of the doubled delay). `random` is `Math.random` except in
 * tests.
 *
 * @example
 * ```ts
 * // The third attempt after a 5xx: between 500 and 1000 ms by default.
 * const ms = retryDelay(DEFAULT_RETRY, 2, undefined);
 * ```
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterSeconds: number | undefined,
  random: () => number = Math.random,
): number {
  const backoff = Math.min(
    policy.maxDelayMs,
    policy.baseDelayMs * 2 ** (attempt - 1),
  ) * (0.5 + random() / 2);
  return retryAfterSeconds !== undefined ? retryAfterSeconds * 1000 : backoff;
}

/**
 * A request's timeout, cut to what is left before the deadline (at least
 * 1 ms, so a request is still made and fails as out of time).
 *
 * @example
 * ```ts
 * const ms = timeoutWithin(deadline, REQUEST_TIMEOUT_MS);
 * ```
 */
export function timeoutWithin(
  deadline: Deadline | undefined,
  ms: number,
): number {
  return deadline ? Math.max(1, Math.min(ms, deadline.remainingMs())) : ms;
}

/**
 * Whether a request given `timeoutMs` ran into the deadline, rather than
 * Tailscale being slow.
 *
 * @example
 * ```ts
 * throw networkError(operation, e, timeoutMs, ranOutOfTime(deadline, timeoutMs));
 * ```
 */
export function ranOutOfTime(
  deadline: Deadline | undefined,
  timeoutMs: number,
): boolean {
  return !!deadline && deadline.remainingMs() <= 0 && timeoutMs > 0;
}
