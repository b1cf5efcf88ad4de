/**
 * Every `workflows.triggers.*` call the app makes goes through here, with
 * the care Slack's trigger methods need:
 *
 * - **Retried**: calls made in quick succession have failed with a
 *   misleading `token_revoked` where `ratelimited` was meant
 *   (slackapi/deno-slack-sdk#445), and the methods' rate limits are not
 *   documented. So `token_revoked` (at most twice more: a token that really
 *   was revoked keeps saying so), `ratelimited` (after its `Retry-After`),
 *   5xx, `internal_error`, `fatal_error`, `service_unavailable`,
 *   `request_timeout` and network failures are tried again, with capped
 *   exponential backoff and jitter.
 * - **Within a deadline**: no wait (spacing, backoff, `Retry-After`) ever
 *   runs past the handler's {@linkcode Deadline}; a retry whose wait would
 *   not fit is not made, and the last answer is returned. The first attempt
 *   is always made.
 * - **Spaced**: consecutive trigger calls of one handler (one process)
 *   start at least {@linkcode TRIGGER_SPACING_MS} apart, calls made at the
 *   same time included, so that the app's own runs of calls (the four
 *   reconciliation triggers, a grant's reminder and expiry, cancelling
 *   several) are never a burst.
 *
 * Nothing here throws: every outcome is an answer, `{ok: false, error}` for
 * a failure (a network failure's message as `error`). A create retried
 * after a network failure may have been made twice; that is harmless here
 * (a lifecycle trigger checks its record, a second reconciliation trigger
 * only runs the check once more).
 *
 * @module
 */
import { Deadline } from "./deadline.ts";
import { errorText } from "../text.ts";
import { type SlackClient } from "../context.ts";

import type {
  TriggerAnswer,
  TriggerArgs,
  TriggerArgsOf,
  TriggerMethod,
} from "./trigger_types.ts";

/** Consecutive trigger calls of one handler start at least this far apart. */
export const DEFAULT_TRIGGER_SPACING_MS = 300;

/**
 * The spacing `env` asks for: `TRIGGER_SPACING_MS` when it is a whole
 * number of ms above 0, else {@linkcode DEFAULT_TRIGGER_SPACING_MS}.
 *
 * @example
 * ```ts
 * triggerSpacingMsFrom({}); // 300
 * triggerSpacingMsFrom({ TRIGGER_SPACING_MS: "150" }); // 150
 * ```
 */
export function triggerSpacingMsFrom(
  env: Record<string, string | undefined>,
): number {
  const ms = Number(env.TRIGGER_SPACING_MS);
  return Number.isInteger(ms) && ms > 0 ? ms : DEFAULT_TRIGGER_SPACING_MS;
}

/**
 * This process's spacing: `TRIGGER_SPACING_MS` from the process
 * environment, which only the local emulator sets (so that a test can run
 * shorter waits; the app's Slack variables reach handlers as their `env`,
 * not here). A process that may not read it keeps the default.
 */
export const TRIGGER_SPACING_MS = triggerSpacingMsFrom(processSpacingEnv());

function processSpacingEnv(): Record<string, string | undefined> {
  const variable = "TRIGGER_SPACING_MS";
  try {
    const { state } = Deno.permissions.querySync({ name: "env", variable });
    return state === "granted" ? { [variable]: Deno.env.get(variable) } : {};
  } catch {
    return {};
  }
}

/**
 * The first retry waits about this long (half to all of it, and never less
 * than {@linkcode TRIGGER_SPACING_MS}), doubling for each retry after.
 */
export const RETRY_BASE_MS = 250;
/** No backoff wait is longer than this (a `Retry-After` may be). */
export const RETRY_CAP_MS = 4_000;
/**
 * Attempts in all, for throttling, server and network failures: the waits
 * add up to under 2 s, which an interaction's 10 s can afford.
 */
export const MAX_ATTEMPTS = 4;
/**
 * Attempts in all for `token_revoked`: enough to outlast the burst it
 * really means, few enough not to spend a handler on a token that was
 * revoked.
 */
export const MAX_TOKEN_REVOKED_ATTEMPTS = 3;
/** Time kept for the attempt itself when deciding whether a retry fits. */
const ATTEMPT_RESERVE_MS = 1_000;

/** Slack's answers that may go away when asked again. */
const RETRYABLE_ERRORS = new Set([
  "token_revoked",
  "ratelimited",
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
]);

/**
 * The earliest moment (performance.now()) the next trigger call of this
 * process may start. Each call reserves its slot before it waits, so calls
 * made at the same time (`Promise.all`) are spaced too.
 */
let nextSlot = Number.NEGATIVE_INFINITY;

/**
 * Waits at least `ms`, and until this call's slot comes; never past the
 * deadline (a call the deadline cuts short goes at once).
 */
async function waitForSlot(ms: number, deadline: Deadline): Promise<void> {
  const now = performance.now();
  const wait = Math.min(
    Math.max(ms, nextSlot - now),
    deadline.remainingMs(),
  );
  nextSlot = Math.max(nextSlot, now + wait + TRIGGER_SPACING_MS);
  await sleep(wait);
}

const sleep = (ms: number) =>
  ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve();

/**
 * Calls `workflows.triggers.<method>`, spaced from the previous trigger
 * call and retried as the module describes. `args` may be a function, to
 * build the arguments afresh for each attempt (a scheduled start time is
 * reckoned from the moment of sending).
 *
 * @example
 * ```ts
 * const res = await triggerCall(client, "delete", { trigger_id: "Ft123" });
 * if (!res.ok && res.error !== "trigger_not_found") console.error(res.error);
 * ```
 */
export async function triggerCall<M extends TriggerMethod>(
  client: SlackClient,
  method: M,
  args: TriggerArgsOf[M] | (() => TriggerArgsOf[M]),
  deadline: Deadline = Deadline.forHandler("function"),
): Promise<TriggerAnswer> {
  let wait = 0;
  for (let attempt = 1;; attempt++) {
    // As long as the deadline allows: the first attempt is made even when
    // it does not.
    await waitForSlot(wait, deadline);
    const failure = await attemptOnce(
      client,
      method,
      typeof args === "function" ? args() : args,
    );
    if (failure.answer.ok || !failure.retryable) return failure.answer;
    const error = failure.answer.error ?? "unknown_error";
    const limit = error === "token_revoked"
      ? MAX_TOKEN_REVOKED_ATTEMPTS
      : MAX_ATTEMPTS;
    if (attempt >= limit) return failure.answer;
    wait = failure.retryAfterMs !== undefined
      ? failure.retryAfterMs * (1 + Math.random() * 0.1)
      : backoffMs(attempt);
    wait = Math.max(wait, TRIGGER_SPACING_MS);
    if (!deadline.fits(wait + ATTEMPT_RESERVE_MS)) {
      console.warn(
        `workflows.triggers.${method}: ${error}; no time left to try again`,
      );
      return failure.answer;
    }
    console.warn(
      `workflows.triggers.${method}: ${error}; trying again in ${
        Math.round(wait)
      } ms`,
    );
  }
}

/**
 * The wait before retry `attempt` + 1: RETRY_BASE_MS doubling per attempt,
 * capped, with "equal jitter" (half fixed, half random), so that handlers
 * throttled together do not come back together.
 */
export function backoffMs(attempt: number, random = Math.random()): number {
  const full = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
  return full / 2 + (full / 2) * random;
}

type Attempt = {
  answer: TriggerAnswer;
  retryable: boolean;
  retryAfterMs?: number;
};

async function attemptOnce(
  client: SlackClient,
  method: TriggerMethod,
  args: TriggerArgs,
): Promise<Attempt> {
  try {
    // The same request as `client.workflows.triggers[method](args)`, whose
    // SDK types want the workflow's definition rather than its ID.
    const res = await client.apiCall(`workflows.triggers.${method}`, args);
    const answer = res as TriggerAnswer;
    if (res.ok) return { answer, retryable: false };
    const error = String(res.error ?? "unknown_error");
    return {
      answer,
      retryable: RETRYABLE_ERRORS.has(error),
      retryAfterMs: retryAfterMs(res.toFetchResponse?.()?.headers),
    };
  } catch (e) {
    // The SDK throws for a non-2xx answer (an HttpError with `status`,
    // `headers` and "<status>: <body>" as its message) and for no answer.
    const status = (e as { status?: unknown })?.status;
    const headers = (e as { headers?: unknown })?.headers;
    const error = slackErrorIn(e) ??
      (typeof status === "number" ? `http_${status}` : errorText(e));
    const retryable = typeof status === "number"
      ? status === 429 || status >= 500 || RETRYABLE_ERRORS.has(error)
      : true;
    return {
      answer: { ok: false, error },
      retryable,
      retryAfterMs: retryAfterMs(headers),
    };
  }
}

/** Slack's `error` in an HttpError's "<status>: <json body>" message. */
function slackErrorIn(e: unknown): string | undefined {
  const m = /^\d{3}: (.*)$/s.exec(e instanceof Error ? e.message : "");
  if (!m) return undefined;
  try {
    const body = JSON.parse(m[1]);
    return typeof body?.error === "string" ? body.error : undefined;
  } catch {
    return undefined;
  }
}

/** A `Retry-After` header (seconds, or an HTTP date) in ms. */
function retryAfterMs(headers: unknown): number | undefined {
  // Duck-typed: the npm build of the SDK uses undici's Headers.
  const get = (headers as { get?: unknown } | undefined)?.get;
  if (typeof get !== "function") return undefined;
  const value = (get.call(headers, "retry-after") as string | null)?.trim();
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/**
 * The current time as the caller sees it: `now` plus what has elapsed
 * since, or the wall clock if that is later (a caller's `now` may be stale
 * after long work, and Slack compares a start time with its own clock).
 */
export function elapsedClock(now: Date): () => number {
  const base = now.getTime();
  const t0 = performance.now();
  return () => Math.max(base + (performance.now() - t0), Date.now());
}

/** A trigger as `workflows.triggers.list` describes it (the fields used). */
export type ListedTrigger = {
  id: string;
  name?: string;
  shortcut_url?: string;
};

/**
 * The app's triggers that run the workflow `callbackId`, following every
 * page; null when Slack could not list them (logged).
 */
export async function triggersOf(
  client: SlackClient,
  callbackId: string,
  deadline: Deadline = Deadline.forHandler("function"),
): Promise<ListedTrigger[] | null> {
  const out: ListedTrigger[] = [];
  let cursor: string | undefined;
  do {
    const res = await triggerCall(client, "list", {
      limit: 100,
      ...(cursor ? { cursor } : {}),
    }, deadline);
    if (!res.ok) {
      console.error(`workflows.triggers.list: ${res.error}`);
      return null;
    }
    for (const t of (res.triggers ?? []) as Record<string, unknown>[]) {
      const workflow = t.workflow as { callback_id?: string } | undefined;
      if (workflow?.callback_id !== callbackId) continue;
      out.push({
        id: String(t.id),
        ...(typeof t.name === "string" ? { name: t.name } : {}),
        ...(typeof t.shortcut_url === "string"
          ? { shortcut_url: t.shortcut_url }
          : {}),
      });
    }
    cursor = res.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return out;
}
