/**
 * OAuth for the Tailscale emulator: the client-credentials token endpoint
 * (RFC 6749, as the Go client uses it) and the check every API call makes,
 * a live token with one of the scopes the call needs.
 *
 * @module
 */
import {
  basicAuth,
  HttpError,
  randomHex,
  readForm,
  type Reply,
} from "./http.ts";

// Which scopes let a call through. "all" / "all:read" are Tailscale's
// catch-all scopes; the checks below honour them too.
/** Scopes that may list and read devices. */
export const READ_DEVICES = ["devices:core:read", "devices:core"];
/** Scopes that may read custom attributes. */
export const READ_ATTRIBUTES = [
  "devices:posture_attributes:read",
  "devices:posture_attributes",
];
/** Scopes that may write custom attributes. */
export const WRITE_ATTRIBUTES = ["devices:posture_attributes"];
/** Scopes that may read and validate the policy file. */
export const READ_POLICY = ["policy_file:read", "policy_file"];
/** Scopes that may write the policy file. */
export const WRITE_POLICY = ["policy_file"];
/** Scopes that may list users. */
export const READ_USERS = ["users:read", "users"];
/** Scopes that may read the tailnet settings other than the scoped ones. */
export const READ_FEATURE_SETTINGS = [
  "feature_settings:read",
  "feature_settings",
];
/** Scopes that may read the `networkFlowLoggingOn` setting. */
export const READ_NETWORK_LOGS = ["logs:network:read", "logs:network"];

/** The one OAuth client the emulator knows. */
export type OAuthClientOptions = {
  clientId: string;
  clientSecret: string;
  scopes: string[];
  /** Lifetime of issued access tokens, in ms. */
  tokenTtlMs: number;
};

/**
 * The OAuth client, the tokens it was issued and its scopes.
 *
 * @example
 * ```ts
 * const oauth = new OAuthClient({
 *   clientId: "id",
 *   clientSecret: "secret",
 *   scopes: READ_DEVICES,
 *   tokenTtlMs: 3_600_000,
 * });
 * oauth.authorize(request, READ_DEVICES); // throws HttpError 401 or 403
 * ```
 */
export class OAuthClient {
  readonly #clientId: string;
  readonly #clientSecret: string;
  readonly #tokenTtlMs: number;
  #scopes: string[];
  /** Access token → expiry (epoch ms). */
  readonly #tokens = new Map<string, number>();
  #issued = 0;

  constructor(opts: OAuthClientOptions) {
    this.#clientId = opts.clientId;
    this.#clientSecret = opts.clientSecret;
    this.#scopes = [...opts.scopes];
    this.#tokenTtlMs = opts.tokenTtlMs;
  }

  /** How many access tokens the token endpoint has handed out. */
  get issued(): number {
    return this.#issued;
  }

  /** Invalidates every token issued so far. */
  revokeTokens(): void {
    this.#tokens.clear();
  }

  /** Changes the client's scopes, for tokens already issued too. */
  setScopes(scopes: string[]): void {
    this.#scopes = [...scopes];
  }

  /** The token endpoint: client credentials in, a Bearer token out. */
  token(req: Request, text: string): Reply {
    if (req.method !== "POST") {
      return {
        status: 405,
        body: { message: "method not allowed" },
        headers: { allow: "POST" },
      };
    }
    const form = readForm(req, text);
    const grantType = form.get("grant_type");
    if (grantType !== null && grantType !== "client_credentials") {
      throw new HttpError(400, `unsupported grant_type "${grantType}"`);
    }
    const basic = basicAuth(req);
    const id = form.get("client_id") ?? basic?.user;
    const secret = form.get("client_secret") ?? basic?.password;
    if (id !== this.#clientId || secret !== this.#clientSecret) {
      throw new HttpError(401, "invalid client credentials");
    }
    const token = `tskey-api-${randomHex(16)}`;
    this.#tokens.set(token, Date.now() + this.#tokenTtlMs);
    this.#issued++;
    return {
      status: 200,
      body: {
        access_token: token,
        token_type: "Bearer",
        expires_in: this.#tokenTtlMs / 1000,
        scope: this.#scopes.join(" "),
      },
    };
  }

  /**
   * Whether the client holds one of these scopes (or a catch-all one), for
   * calls whose answer depends on the scopes (tailnet settings). Call
   * {@link authorize} first: this does not look at the token.
   */
  allows(anyOf: string[]): boolean {
    return this.#scopes.some((s) =>
      anyOf.includes(s) || s === "all" ||
      (s === "all:read" && anyOf.some((a) => a.endsWith(":read")))
    );
  }

  /**
   * Checks the access token (401) and scope: 403 naming the scope, or a
   * plain 404 `not found` where the API documents that instead.
   */
  authorize(req: Request, anyOf: string[], deniedStatus = 403): void {
    const header = req.headers.get("authorization") ?? "";
    const bearer = /^Bearer\s+(\S+)$/i.exec(header);
    // `curl -u tskey-api-…:` style: the token is the Basic username.
    const token = bearer ? bearer[1] : basicAuth(req)?.user;
    const expiresAt = token === undefined ? undefined : this.#tokens.get(token);
    if (expiresAt === undefined || expiresAt <= Date.now()) {
      if (token !== undefined) this.#tokens.delete(token);
      throw new HttpError(401, "API token invalid");
    }
    if (this.allows(anyOf)) return;
    if (deniedStatus === 404) throw new HttpError(404, "not found");
    throw new HttpError(
      deniedStatus,
      `insufficient scope: this call needs the "${
        anyOf[anyOf.length - 1]
      }" scope${anyOf.length > 1 ? ` (or "${anyOf[0]}")` : ""}`,
    );
  }
}
