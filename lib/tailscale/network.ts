/**
 * Sending a request within the handler's deadline, and a request that got
 * no HTTP answer (a refused connection, a timeout, a body that broke off)
 * as a `network` {@linkcode TailscaleApiError}.
 *
 * @module
 */
import { TailscaleApiError } from "./errors.ts";
import { ranOutOfTime, REQUEST_TIMEOUT_MS, timeoutWithin } from "./timing.ts";
import type { Deadline } from "../slack/mod.ts";
import { errorText } from "../text.ts";

/**
 * Runs `send` with an abort signal that fires after `timeoutMs`, cut to
 * what is left before `deadline`; a failure to get an answer becomes a
 * {@linkcode networkError} (marked out of time when the deadline cut it).
 *
 * @example
 * ```ts
 * const res = await sendWithin(deadline, "reading device n1", 10_000, (signal) =>
 *   fetch(url, { headers, signal }));
 * ```
 */
export async function sendWithin(
  deadline: Deadline | undefined,
  operation: string,
  timeoutMs: number,
  send: (signal: AbortSignal) => Promise<Response>,
): Promise<Response> {
  const ms = timeoutWithin(deadline, timeoutMs);
  try {
    return await send(AbortSignal.timeout(ms));
  } catch (e) {
    throw networkError(operation, e, ms, ranOutOfTime(deadline, ms));
  }
}

/**
 * A request that got no HTTP answer (or whose body broke off) as a
 * `network` {@linkcode TailscaleApiError}; a timeout says how long the app
 * waited, and `outOfTime` marks one cut short by the handler's deadline.
 *
 * @example
 * ```ts
 * throw networkError("reading device n1", e, timeoutMs);
 * ```
 */
export function networkError(
  operation: string,
  e: unknown,
  timeoutMs = REQUEST_TIMEOUT_MS,
  outOfTime = false,
): TailscaleApiError {
  const reason = e instanceof DOMException && e.name === "TimeoutError"
    ? `no answer within ${Math.round(timeoutMs / 100) / 10} s`
    : errorText(e);
  return new TailscaleApiError({
    operation,
    status: 0,
    kind: "network",
    tailscaleMessage: reason.slice(0, 300),
    outOfTime,
  });
}
