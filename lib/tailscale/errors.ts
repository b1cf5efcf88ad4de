/**
 * Typed errors for everything that can go wrong talking to Tailscale, each
 * with a sentence a person can act on.
 *
 * @module
 */

/** The OAuth scopes this app's Tailscale OAuth client needs. */
export const REQUIRED_SCOPES = [
  "devices:core:read",
  "devices:posture_attributes",
] as const;

/** What kind of failure, for callers that react differently. */
export type TailscaleErrorKind =
  | "credentials" // 401: wrong client ID/secret or token rejected
  | "scope" // 403: the OAuth client lacks a scope
  | "not_found" // 404
  | "rejected" // 400 and other 4xx: Tailscale refused the request
  | "conflict" // 412: the policy file changed since it was read
  | "rate_limited" // 429
  | "server" // 5xx
  | "network" // no HTTP answer at all
  | "bad_response"; // an answer that is not what the API documents

/** A failed Tailscale API call. The message never contains credentials. */
export class TailscaleApiError extends Error {
  /** HTTP status, or 0 when there was no HTTP answer. */
  readonly status: number;
  /** Tailscale's own `message`, when it sent one. */
  readonly tailscaleMessage: string | undefined;
  readonly kind: TailscaleErrorKind;
  /** Seconds to wait before retrying, from `Retry-After` on a 429. */
  readonly retryAfterSeconds: number | undefined;
  /** What was being done, e.g. "setting custom:prodAccess on n123". */
  readonly operation: string;

  /** How many attempts were made before giving up (1: no retry). */
  readonly attempts: number;
  /**
   * The app stopped waiting because the handler's deadline (Slack's time
   * limit) came near, not because Tailscale refused or the retry budget
   * ran out: the work may be finished later.
   */
  readonly outOfTime: boolean;
  readonly #init: ErrorInit;

  constructor(init: ErrorInit) {
    super(
      describe(init) +
        (init.attempts && init.attempts > 1
          ? ` Gave up after ${init.attempts} attempts over ${
            Math.round((init.elapsedMs ?? 0) / 100) / 10
          } s.`
          : "") +
        (init.outOfTime ? " Stopped waiting: out of time for this step." : ""),
    );
    this.#init = init;
    this.attempts = init.attempts ?? 1;
    this.outOfTime = init.outOfTime ?? false;
    this.name = "TailscaleApiError";
    this.status = init.status;
    this.kind = init.kind;
    this.tailscaleMessage = init.tailscaleMessage;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.operation = init.operation;
  }

  /**
   * The same error, saying how long the app kept trying (and whether it
   * stopped for lack of time).
   */
  afterAttempts(
    attempts: number,
    elapsedMs: number,
    outOfTime = false,
  ): TailscaleApiError {
    return new TailscaleApiError({
      ...this.#init,
      attempts,
      elapsedMs,
      outOfTime,
    });
  }

  /** The same error, naming the scopes this operation needs. */
  needing(scopes: readonly string[]): TailscaleApiError {
    return new TailscaleApiError({ ...this.#init, scopes });
  }

  /**
   * The same answer read as a missing scope: for calls whose documented
   * 404 also means "no permission" (the users list).
   */
  asMissingScope(scopes: readonly string[]): TailscaleApiError {
    return new TailscaleApiError({ ...this.#init, kind: "scope", scopes });
  }
}

type ErrorInit = {
  operation: string;
  status: number;
  kind: TailscaleErrorKind;
  tailscaleMessage?: string;
  retryAfterSeconds?: number;
  attempts?: number;
  elapsedMs?: number;
  outOfTime?: boolean;
  /** Scopes the failed operation needs (default {@linkcode REQUIRED_SCOPES}). */
  scopes?: readonly string[];
};

/** Maps an HTTP status to the kind of failure it means. */
export function kindOfStatus(status: number): TailscaleErrorKind {
  if (status === 401) return "credentials";
  if (status === 403) return "scope";
  if (status === 404) return "not_found";
  if (status === 412) return "conflict";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "server";
  return "rejected";
}

function describe(init: ErrorInit): string {
  const said = init.tailscaleMessage
    ? `Tailscale said: "${init.tailscaleMessage}"`
    : "";
  const status = init.status ? ` (HTTP ${init.status})` : "";
  switch (init.kind) {
    case "credentials":
      return `Tailscale did not accept the app's OAuth client while ${init.operation}${status}. ` +
        "Check TAILSCALE_CLIENT_ID and TAILSCALE_CLIENT_SECRET (`slack env add`). " +
        said;
    case "scope":
      return `The Tailscale OAuth client is missing a permission needed for ${init.operation}${status}. ` +
        (init.status === 404
          ? "(Tailscale answers 404 here when the scope is missing, and also when TAILSCALE_TAILNET names a tailnet it does not know.) "
          : "") +
        `It needs the scope${
          (init.scopes ?? REQUIRED_SCOPES).length > 1 ? "s" : ""
        } ${
          (init.scopes ?? REQUIRED_SCOPES).join(" and ")
        } (Tailscale admin console → Settings → OAuth clients). ${said}`;
    case "not_found":
      return `Tailscale found nothing while ${init.operation}${status}. ${said}`;
    case "rate_limited":
      return `Tailscale is rate limiting the app while ${init.operation}${status}. ${said}`;
    case "server":
      return `Tailscale had a server error while ${init.operation}${status}. ${said}`;
    case "network":
      return `Could not reach Tailscale while ${init.operation}. ${said}`;
    case "bad_response":
      return `Tailscale sent an unexpected answer while ${init.operation}${status}. ${said}`;
    case "rejected":
      return `Tailscale refused ${init.operation}${status}. ${said}`;
    case "conflict":
      return `The policy file changed while ${init.operation}${status}. ${said}`;
  }
}

/**
 * A missing-scope error named for the scopes this operation needs (rather
 * than the app's usual ones); any other error as it was.
 *
 * @example
 * ```ts
 * await call().catch((e) => {
 *   throw withScopes(e, ["policy_file"]);
 * });
 * ```
 */
export function withScopes(e: unknown, scopes: readonly string[]): unknown {
  return e instanceof TailscaleApiError && e.kind === "scope"
    ? e.needing(scopes)
    : e;
}
