/**
 * The one Tailscale API client every function uses: OAuth client
 * credentials, a shared token cache, zod-checked answers and typed errors.
 *
 * @module
 */
import { z } from "zod";
import { kindOfStatus, TailscaleApiError } from "./errors.ts";
import {
  AttributesResponseSchema,
  AttributeWriteResponseSchema,
  type Device,
  DeviceListSchema,
  DeviceSchema,
  ErrorBodySchema,
  PolicyValidationSchema,
  type TailnetUser,
  TokenResponseSchema,
  UserListSchema,
} from "./schemas.ts";
import type { Deadline } from "../slack/mod.ts";
import type { TailscaleSettings } from "./settings.ts";
import type { CachedToken, TokenCache } from "./token_cache.ts";

/** Tokens are replaced this long before they expire, so none dies mid-call. */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
/** An answer slower than this is treated as a network failure. */
const REQUEST_TIMEOUT_MS = 10_000;
/**
 * The whole device list has no pagination (spec: "All results are returned
 * at once"): 20,000 devices are about 15 MB, which needs more than the usual
 * timeout. Only events with Slack's 60 s budget list the whole tailnet.
 */
export const FULL_LISTING_TIMEOUT_MS = 40_000;
/** The least time worth starting another attempt with. */
const MIN_ATTEMPT_MS = 1_000;

/** A value Tailscale accepts for a custom posture attribute. */
export type AttributeValue = string | number | boolean;

/** What to write with {@linkcode TailscaleClient.setPostureAttribute}. */
export type PostureAttributeWrite = {
  value: AttributeValue;
  /** When Tailscale removes the attribute by itself. */
  expiry: Date;
  /** Shown in the admin console; at most 200 characters. */
  comment: string;
};

/** Longest comment Tailscale stores with an attribute. */
export const MAX_COMMENT_LENGTH = 200;

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

/** A device's posture attributes and their expiries. */
export type DeviceAttributes = {
  attributes: Record<string, AttributeValue>;
  expiries: Record<string, string>;
};

/**
 * What `acl/validate` found: errors (failing tests, a refused policy) mean
 * the policy would be refused; warnings (say, a SCIM group that is not
 * syncing) do not. Each line is Tailscale's own, prefixed with its `user`.
 */
export type PolicyValidation = { errors: string[]; warnings: string[] };

/** Which devices {@linkcode TailscaleClient.listDevices} asks for. */
export type DeviceFilter = {
  /**
   * Only devices registered by this login (Tailscale's server-side filter,
   * an exact match): the person's own devices, and tagged devices they
   * registered, without downloading the whole tailnet.
   */
  user?: string;
};

/** A client for one tailnet, authenticated with an OAuth client. */
export class TailscaleClient {
  readonly #settings: TailscaleSettings;
  readonly #cache: TokenCache;
  readonly #fetch: typeof fetch;
  readonly #retry: RetryPolicy;
  readonly #deadline: Deadline | undefined;
  #token: CachedToken | null = null;

  /**
   * With a `deadline` (the handler's, from Slack's time limit), no call
   * waits or retries past it: it fails with `outOfTime` instead.
   */
  constructor(
    settings: TailscaleSettings,
    cache: TokenCache,
    options: {
      fetch?: typeof fetch;
      retry?: Partial<RetryPolicy>;
      deadline?: Deadline;
    } = {},
  ) {
    this.#settings = settings;
    this.#cache = cache;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#deadline = options.deadline;
  }

  /** A device's posture attributes (expired ones are already gone). */
  async getAttributes(nodeId: string): Promise<DeviceAttributes> {
    const body = await this.#request(
      `reading the attributes of device ${nodeId}`,
      "GET",
      `/api/v2/device/${encodeURIComponent(nodeId)}/attributes`,
      AttributesResponseSchema,
    );
    return { attributes: body.attributes, expiries: body.expiries ?? {} };
  }

  /**
   * The tailnet's devices (or, with a filter, those that match it), without
   * devices shared in from other tailnets: the app never offers or grants
   * those.
   */
  async listDevices(filter: DeviceFilter = {}): Promise<Device[]> {
    const query = filter.user === undefined
      ? ""
      : `?${new URLSearchParams({ user: filter.user })}`;
    const body = await this.#call(
      filter.user === undefined
        ? "listing the tailnet's devices"
        : `listing the devices of ${filter.user}`,
      "GET",
      `/api/v2/tailnet/${
        encodeURIComponent(this.#settings.tailnet)
      }/devices${query}`,
      (res, operation) => parseAnswer(operation, res, DeviceListSchema),
      {
        timeoutMs: filter.user === undefined
          ? FULL_LISTING_TIMEOUT_MS
          : REQUEST_TIMEOUT_MS,
      },
    );
    return body.devices.filter((d) => !d.isExternal);
  }

  /** One device by node ID (or legacy ID). */
  getDevice(nodeId: string): Promise<Device> {
    return this.#request(
      `reading device ${nodeId}`,
      "GET",
      `/api/v2/device/${encodeURIComponent(nodeId)}`,
      DeviceSchema,
    );
  }

  /** Creates or replaces a custom posture attribute on a device. */
  async setPostureAttribute(
    nodeId: string,
    key: string,
    write: PostureAttributeWrite,
  ): Promise<void> {
    if (write.comment.length > MAX_COMMENT_LENGTH) {
      throw new RangeError(
        `attribute comment is ${write.comment.length} characters; Tailscale allows ${MAX_COMMENT_LENGTH}`,
      );
    }
    await this.#call(
      `setting ${key} on device ${nodeId}`,
      "POST",
      `/api/v2/device/${encodeURIComponent(nodeId)}/attributes/${
        encodeURIComponent(key)
      }`,
      readWriteAnswer,
      {
        json: {
          value: write.value,
          expiry: write.expiry.toISOString(),
          comment: write.comment,
        },
      },
    );
  }

  /**
   * The tailnet policy file as HuJSON text (comments and formatting kept)
   * with its ETag, for a conditional write.
   */
  async getPolicyFile(): Promise<PolicyFile> {
    const operation = "reading the tailnet policy file";
    return await this.#call(
      operation,
      "GET",
      `/api/v2/tailnet/${encodeURIComponent(this.#settings.tailnet)}/acl`,
      (res) => readPolicyAnswer(operation, res),
      { accept: null },
    ).catch((e) => {
      throw withScopes(e, ["policy_file"]);
    });
  }

  /**
   * Asks Tailscale whether `text` would be accepted as the policy file
   * (`acl/validate`, which changes nothing). Warnings do not count against
   * it; a policy Tailscale cannot parse is a {@linkcode TailscaleApiError}
   * of kind "rejected" (HTTP 400) carrying Tailscale's message.
   */
  async validatePolicyFile(text: string): Promise<PolicyValidation> {
    const answer = await this.#call(
      "validating the tailnet policy file",
      "POST",
      `/api/v2/tailnet/${
        encodeURIComponent(this.#settings.tailnet)
      }/acl/validate`,
      (res, operation) => parseAnswer(operation, res, PolicyValidationSchema),
      { hujson: text },
    ).catch((e) => {
      throw withScopes(e, ["policy_file"]);
    });
    return validationOf(answer);
  }

  /**
   * Replaces the policy file, only if it is still the version read
   * (`If-Match`); a 412 is a {@linkcode TailscaleApiError} of kind
   * "conflict". The answer's body and headers are not needed: the ETag is
   * documented on the read only, so the next change reads the file again.
   */
  async setPolicyFile(text: string, etag: string): Promise<void> {
    await this.#call(
      "writing the tailnet policy file",
      "POST",
      `/api/v2/tailnet/${encodeURIComponent(this.#settings.tailnet)}/acl`,
      readWriteAnswer,
      { hujson: text, ifMatch: etag, accept: null },
    ).catch((e) => {
      throw withScopes(e, ["policy_file"]);
    });
  }

  /**
   * The tailnet's members (for mapping a Slack email to a Tailscale login).
   * The users list answers 404 both for an unknown tailnet and for a client
   * without `users:read` (spec: listUsers); either way the scope is named.
   */
  async listUsers(): Promise<TailnetUser[]> {
    const body = await this.#request(
      "listing the tailnet's users",
      "GET",
      `/api/v2/tailnet/${encodeURIComponent(this.#settings.tailnet)}/users`,
      UserListSchema,
    ).catch((e) => {
      if (e instanceof TailscaleApiError && e.kind === "not_found") {
        throw e.asMissingScope(["users:read"]);
      }
      throw withScopes(e, ["users:read"]);
    });
    return body.users;
  }

  /**
   * Deletes a custom posture attribute (`DELETE …/attributes/{key}`). A 404
   * is a {@linkcode TailscaleApiError} of kind "not_found": the device is
   * gone, or (the spec is silent) the attribute was not set.
   */
  async deletePostureAttribute(nodeId: string, key: string): Promise<void> {
    await this.#call(
      `removing ${key} from device ${nodeId}`,
      "DELETE",
      `/api/v2/device/${encodeURIComponent(nodeId)}/attributes/${
        encodeURIComponent(key)
      }`,
      readWriteAnswer,
    );
  }

  /**
   * One API call, retried on 429 (honouring Retry-After), 5xx and network
   * errors with capped exponential backoff and jitter, within the budget.
   * Every call the app makes is idempotent, so a retry cannot double it.
   */
  async #request<S extends z.ZodType>(
    operation: string,
    method: string,
    path: string,
    schema: S,
  ): Promise<z.output<S>> {
    return await this.#call(
      operation,
      method,
      path,
      (res) => parseAnswer(operation, res, schema),
    );
  }

  /**
   * One API call with retries, reading the answer with `read`. Every call
   * the app makes is idempotent (a policy write carries If-Match), so a
   * retry cannot double it.
   */
  async #call<T>(
    operation: string,
    method: string,
    path: string,
    read: (res: Response, operation: string) => Promise<T>,
    body?: RequestBody,
  ): Promise<T> {
    const started = Date.now();
    for (let attempt = 1;; attempt++) {
      try {
        return await this.#attempt(operation, method, path, read, body);
      } catch (e) {
        if (!(e instanceof TailscaleApiError) || !isTransient(e)) throw e;
        const backoff = Math.min(
          this.#retry.maxDelayMs,
          this.#retry.baseDelayMs * 2 ** (attempt - 1),
        ) * (0.5 + Math.random() / 2);
        const delay = e.retryAfterSeconds !== undefined
          ? e.retryAfterSeconds * 1000
          : backoff;
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

  async #attempt<T>(
    operation: string,
    method: string,
    path: string,
    read: (res: Response, operation: string) => Promise<T>,
    body?: RequestBody,
  ): Promise<T> {
    let token = await this.#accessToken(operation);
    let res = await this.#send(operation, method, path, token, body);
    if (res.status === 401 && token.fromCache) {
      // A cached token can be revoked early; one fresh token settles it.
      await res.body?.cancel();
      await this.#cache.delete(await this.#cacheKey());
      this.#token = null;
      token = await this.#accessToken(operation);
      res = await this.#send(operation, method, path, token, body);
    }
    return await read(res, operation);
  }

  async #send(
    operation: string,
    method: string,
    path: string,
    token: CachedToken,
    body: RequestBody | undefined,
  ): Promise<Response> {
    const timeoutMs = this.#timeout(body?.timeoutMs ?? REQUEST_TIMEOUT_MS);
    try {
      return await this.#fetch(`${this.#settings.baseUrl}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token.accessToken}`,
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
        },
        body: body?.json !== undefined
          ? JSON.stringify(body.json)
          : body?.hujson,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw networkError(operation, e, timeoutMs, this.#outOfTime(timeoutMs));
    }
  }

  /** A request's timeout, cut to what is left before the deadline. */
  #timeout(ms: number): number {
    return this.#deadline
      ? Math.max(1, Math.min(ms, this.#deadline.remainingMs()))
      : ms;
  }

  /** Whether a request given `timeoutMs` ran into the deadline. */
  #outOfTime(timeoutMs: number): boolean {
    return !!this.#deadline && this.#deadline.remainingMs() <= 0 &&
      timeoutMs > 0;
  }

  async #accessToken(
    operation: string,
  ): Promise<CachedToken & { fromCache: boolean }> {
    const now = Date.now();
    if (this.#token && this.#token.expiresAt - TOKEN_REFRESH_MARGIN_MS > now) {
      return { ...this.#token, fromCache: false };
    }
    const key = await this.#cacheKey();
    const cached = await this.#cache.get(key);
    if (cached && cached.expiresAt - TOKEN_REFRESH_MARGIN_MS > now) {
      this.#token = cached;
      return { ...cached, fromCache: true };
    }
    const fresh = await this.#fetchToken(operation);
    this.#token = fresh;
    await this.#cache.put(key, fresh);
    return { ...fresh, fromCache: false };
  }

  async #fetchToken(operation: string): Promise<CachedToken> {
    const { clientId, clientSecret, baseUrl } = this.#settings;
    const what = `getting an access token (for ${operation})`;
    let res: Response;
    const timeoutMs = this.#timeout(REQUEST_TIMEOUT_MS);
    try {
      res = await this.#fetch(`${baseUrl}/api/v2/oauth/token`, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/json",
        },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: clientId,
          client_secret: clientSecret,
        }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw networkError(what, e, timeoutMs, this.#outOfTime(timeoutMs));
    }
    const answer = await parseAnswer(what, res, TokenResponseSchema);
    return {
      accessToken: answer.access_token,
      expiresAt: Date.now() + answer.expires_in * 1000,
    };
  }

  /** The token's datastore key: a hash, so the client ID is not spelled out. */
  async #cacheKey(): Promise<string> {
    const data = new TextEncoder().encode(
      `${this.#settings.baseUrl}\n${this.#settings.clientId}`,
    );
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
    return Array.from(
      digest.slice(0, 16),
      (b) => b.toString(16).padStart(2, "0"),
    )
      .join("");
  }
}

/** What a request sends besides the token. */
type RequestBody = {
  json?: unknown;
  hujson?: string;
  ifMatch?: string;
  /** Accept header; null sends none. Default application/json. */
  accept?: string | null;
  /** Time for the answer, body included; default {@linkcode REQUEST_TIMEOUT_MS}. */
  timeoutMs?: number;
};

/** The policy file as text, and the version it is. */
export type PolicyFile = { text: string; etag: string };

function withScopes(e: unknown, scopes: string[]): unknown {
  return e instanceof TailscaleApiError && e.kind === "scope"
    ? e.needing(scopes)
    : e;
}

/**
 * The answer to a write. Any 2xx is a write that happened, whatever its
 * body: the documented shapes (see {@linkcode AttributeWriteResponseSchema})
 * pass quietly; anything else is logged, never turned into a failure.
 */
async function readWriteAnswer(
  res: Response,
  operation: string,
): Promise<void> {
  if (!res.ok) return await parseAnswer(operation, res, z.never());
  let text = "";
  try {
    text = await res.text();
  } catch (e) {
    // The write was answered 2xx before its body broke off.
    console.warn(`${operation}: answer body unreadable: ${errorOf(e)}`);
    return;
  }
  let json: unknown = null;
  try {
    if (text.trim()) json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!AttributeWriteResponseSchema.safeParse(json).success) {
    console.warn(`${operation}: succeeded with an undocumented answer body`);
  }
}

/** Tailscale's validation answer as errors and warnings, each a line. */
function validationOf(
  answer: z.output<typeof PolicyValidationSchema>,
): PolicyValidation {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const item of answer?.data ?? []) {
    const who = item.user ? `${item.user}: ` : "";
    for (const e of item.errors ?? []) errors.push(`${who}${e}`);
    for (const w of item.warnings ?? []) warnings.push(`${who}${w}`);
  }
  const message = answer?.message?.trim();
  if (message && !errors.length && !warnings.length) {
    // A message with no lines: a warning only if it says so.
    (/^warning/i.test(message) ? warnings : errors).push(message);
  }
  return { errors, warnings };
}

/** A policy file answer: the HuJSON body and its ETag. */
async function readPolicyAnswer(
  operation: string,
  res: Response,
): Promise<PolicyFile> {
  const etag = res.headers.get("ETag");
  if (!res.ok) return await parseAnswer(operation, res, z.never());
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw networkError(operation, e);
  }
  if (!etag) {
    throw new TailscaleApiError({
      operation,
      status: res.status,
      kind: "bad_response",
      tailscaleMessage: "the answer had no ETag",
    });
  }
  return { text, etag };
}

function isTransient(e: TailscaleApiError): boolean {
  return e.kind === "rate_limited" || e.kind === "server" ||
    e.kind === "network";
}

/**
 * Reads the whole body, then either parses it against the schema or turns
 * the failure into a {@linkcode TailscaleApiError}.
 */
async function parseAnswer<S extends z.ZodType>(
  operation: string,
  res: Response,
  schema: S,
): Promise<z.output<S>> {
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw networkError(operation, e);
  }
  if (!res.ok) {
    throw new TailscaleApiError({
      operation,
      status: res.status,
      kind: kindOfStatus(res.status),
      tailscaleMessage: errorMessage(text),
      retryAfterSeconds: retryAfter(res.headers.get("Retry-After")),
    });
  }
  let json: unknown;
  try {
    // An empty body is no value at all: only schemas that allow null pass.
    json = text.trim() ? JSON.parse(text) : null;
  } catch {
    throw new TailscaleApiError({
      operation,
      status: res.status,
      kind: "bad_response",
      tailscaleMessage: "the answer was not JSON",
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new TailscaleApiError({
      operation,
      status: res.status,
      kind: "bad_response",
      tailscaleMessage: `unexpected shape at ${
        parsed.error.issues[0]?.path.join(".") || "top level"
      }`,
    });
  }
  return parsed.data;
}

/** Tailscale's `message` (or an OAuth error's description), trimmed. */
function errorMessage(text: string): string | undefined {
  try {
    const body = ErrorBodySchema.safeParse(JSON.parse(text));
    if (body.success) {
      const m = body.data.message ?? body.data.error_description ??
        body.data.error;
      if (m) return m.slice(0, 300);
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  const raw = text.trim();
  return raw ? raw.slice(0, 300) : undefined;
}

function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(header);
  return Number.isNaN(date)
    ? undefined
    : Math.max(0, (date - Date.now()) / 1000);
}

function errorOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function networkError(
  operation: string,
  e: unknown,
  timeoutMs = REQUEST_TIMEOUT_MS,
  outOfTime = false,
): TailscaleApiError {
  const reason = e instanceof DOMException && e.name === "TimeoutError"
    ? `no answer within ${Math.round(timeoutMs / 100) / 10} s`
    : errorOf(e);
  return new TailscaleApiError({
    operation,
    status: 0,
    kind: "network",
    tailscaleMessage: reason.slice(0, 300),
    outOfTime,
  });
}
