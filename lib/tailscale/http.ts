/**
 * One Tailscale API call, done properly: a bearer token (renewed once when
 * a cached one is refused), a timeout that respects the handler's
 * deadline, and retries of transient failures within a time budget.
 * `TailscaleClient` builds every endpoint on this.
 *
 * @module
 */
import type { z } from "zod";
import { type AccessToken, AccessTokens } from "./access_token.ts";
import { parseAnswer } from "./answers.ts";
import { sendWithin } from "./network.ts";
import { TailscaleApiError } from "./errors.ts";
import {
  DEFAULT_RETRY,
  isTransient,
  MIN_ATTEMPT_MS,
  REQUEST_TIMEOUT_MS,
  retryDelay,
  type RetryPolicy,
} from "./timing.ts";
import type { Deadline } from "../slack/mod.ts";
import type { TailscaleSettings } from "./settings.ts";
import type { TokenCache } from "./token_cache.ts";

/** What a request sends besides the token. */
export type RequestBody = {
  json?: unknown;
  hujson?: string;
  ifMatch?: string;
  /** Accept header; null sends none. Default application/json. */
  accept?: string | null;
  /** Time for the answer, body included; default {@linkcode REQUEST_TIMEOUT_MS}. */
  timeoutMs?: number;
};

/** Reads a response into a value, or throws a {@linkcode TailscaleApiError}. */
export type ReadAnswer<T> = (res: Response, operation: string) => Promise<T>;

/** How a {@linkcode TailscaleHttp} fetches, retries and runs out of time. */
export type HttpOptions = {
  fetch?: typeof fetch;
  retry?: Partial<RetryPolicy>;
  deadline?: Deadline;
};

/**
 * The request headers for a call: the token, `Accept` (JSON unless the
 * body says otherwise), the body's content type and `If-Match`.
 *
 * @example
 * ```ts
 * requestHeaders("tok", { hujson: text, accept: null });
 * // { Authorization: "Bearer tok", "Content-Type": "application/hujson" }
 * ```
 */
export function requestHeaders(
  accessToken: string,
  body: RequestBody | undefined,
): Record<string, string> {
  return {
    Authorization: `Bearer ${accessToken}`,
    // The policy file is read as HuJSON (comments kept): no JSON Accept.
    ...(body?.accept === null
      ? {}
      : { Accept: body?.accept ?? "application/json" }),
    ...(body?.json !== undefined
      ? { "Content-Type": "application/json" }
      : body?.hujson !== undefined
      ? { "Content-Type": "application/hujson" }
      : {}),
    ...(body?.ifMatch ? { "If-Match": body.ifMatch } : {}),
  };
}

/**
 * Calls to one tailnet's API as one OAuth client.
 *
 * @example
 * ```ts
 * const http = new TailscaleHttp(settings, cache, { deadline });
 * const device = await http.request(
 *   "reading device n1",
 *   "GET",
 *   "/api/v2/device/n1",
 *   DeviceSchema,
 * );
 * ```
 */
export class TailscaleHttp {
  readonly #settings: TailscaleSettings;
  readonly #tokens: AccessTokens;
  readonly #fetch: typeof fetch;
  readonly #retry: RetryPolicy;
  readonly #deadline: Deadline | undefined;

  /**
   * With a `deadline` (the handler's, from Slack's time limit), no call
   * waits or retries past it: it fails with `outOfTime` instead.
   */
  constructor(
    settings: TailscaleSettings,
    cache: TokenCache,
    options: HttpOptions = {},
  ) {
    this.#settings = settings;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#deadline = options.deadline;
    this.#tokens = new AccessTokens(
      settings,
      cache,
      this.#fetch,
      this.#deadline,
    );
  }

  /** The path of a tailnet-scoped endpoint: `/api/v2/tailnet/{tailnet}{rest}`. */
  tailnetPath(rest: string): string {
    return `/api/v2/tailnet/${
      encodeURIComponent(this.#settings.tailnet)
    }${rest}`;
  }

  /**
   * One API call whose answer is JSON of the shape `schema`, with the
   * retries of {@linkcode TailscaleHttp.call}.
   */
  async request<S extends z.ZodType>(
    operation: string,
    method: string,
    path: string,
    schema: S,
  ): Promise<z.output<S>> {
    return await this.call(
      operation,
      method,
      path,
      (res) => parseAnswer(operation, res, schema),
    );
  }

  /**
   * One API call with retries, reading the answer with `read`: retried on
   * 429 (honouring Retry-After), 5xx and network errors with capped
   * exponential backoff and jitter, within the budget. Every call the app
   * makes is idempotent (a policy write carries If-Match), so a retry
   * cannot double it.
   */
  async call<T>(
    operation: string,
    method: string,
    path: string,
    read: ReadAnswer<T>,
    body?: RequestBody,
  ): Promise<T> {
    const send = (token: AccessToken) =>
      this.#send(operation, method, path, token, body);
    const started = Date.now();
    for (let attempt = 1;; attempt++) {
      try {
        return await read(await this.#authorized(operation, send), operation);
      } catch (e) {
        if (!(e instanceof TailscaleApiError) || !isTransient(e)) throw e;
        const delay = retryDelay(this.#retry, attempt, e.retryAfterSeconds);
        const elapsed = Date.now() - started;
        if (elapsed + delay > this.#retry.budgetMs) {
          throw e.afterAttempts(attempt, elapsed);
        }
        if (this.#deadline && !this.#deadline.fits(delay + MIN_ATTEMPT_MS)) {
          throw e.afterAttempts(attempt, elapsed, true);
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** One attempt's answer, sent again once with a fresh token on a 401. */
  async #authorized(
    operation: string,
    send: (token: AccessToken) => Promise<Response>,
  ): Promise<Response> {
    let token = await this.#tokens.get(operation);
    let res = await send(token);
    if (res.status === 401 && token.fromCache) {
      // A cached token can be revoked early; one fresh token settles it.
      await res.body?.cancel();
      await this.#tokens.forget();
      token = await this.#tokens.get(operation);
      res = await send(token);
    }
    return res;
  }

  #send(
    operation: string,
    method: string,
    path: string,
    token: AccessToken,
    body: RequestBody | undefined,
  ): Promise<Response> {
    return sendWithin(
      this.#deadline,
      operation,
      body?.timeoutMs ?? REQUEST_TIMEOUT_MS,
      (signal) =>
        this.#fetch(`${this.#settings.baseUrl}${path}`, {
          method,
          headers: requestHeaders(token.accessToken, body),
          body: body?.json !== undefined
            ? JSON.stringify(body.json)
            : body?.hujson,
          signal,
        }),
    );
  }
}
