/**
 * OAuth access tokens for the Tailscale API (client credentials): kept in
 * memory for the event, shared between events through a
 * {@linkcode TokenCache}, renewed a few minutes before they expire.
 *
 * @module
 */
import { parseAnswer } from "./answers.ts";
import { sendWithin } from "./network.ts";
import { TokenResponseSchema } from "./schemas.ts";
import { REQUEST_TIMEOUT_MS, TOKEN_REFRESH_MARGIN_MS } from "./timing.ts";
import type { Deadline } from "../slack/mod.ts";
import type { TailscaleSettings } from "./settings.ts";
import type { CachedToken, TokenCache } from "./token_cache.ts";

/** A token, and whether it came from the shared cache (it may be revoked). */
export type AccessToken = CachedToken & { fromCache: boolean };

/**
 * The access tokens of one OAuth client.
 *
 * @example
 * ```ts
 * const tokens = new AccessTokens(settings, cache, fetch, deadline);
 * const { accessToken } = await tokens.get("reading device n1");
 * ```
 */
export class AccessTokens {
  readonly #settings: TailscaleSettings;
  readonly #cache: TokenCache;
  readonly #fetch: typeof fetch;
  readonly #deadline: Deadline | undefined;
  #token: CachedToken | null = null;
  #pending: Promise<AccessToken> | null = null;

  /** No token request waits past `deadline`, when there is one. */
  constructor(
    settings: TailscaleSettings,
    cache: TokenCache,
    fetchFn: typeof fetch,
    deadline: Deadline | undefined,
  ) {
    this.#settings = settings;
    this.#cache = cache;
    this.#fetch = fetchFn;
    this.#deadline = deadline;
  }

  /**
   * A token good for a while yet: the one in memory, else the cached one,
   * else a fresh one (which is then cached). `operation` names the call it
   * is for, in errors.
   */
  get(operation: string): Promise<AccessToken> {
    const now = Date.now();
    if (this.#token && this.#token.expiresAt - TOKEN_REFRESH_MARGIN_MS > now) {
      return Promise.resolve({ ...this.#token, fromCache: false });
    }
    // Calls made at the same time (e.g. devices and the policy file read in
    // parallel) share one lookup, so they cost one token, not one each.
    this.#pending ??= this.#lookup(operation, now).finally(() => {
      this.#pending = null;
    });
    return this.#pending;
  }

  async #lookup(operation: string, now: number): Promise<AccessToken> {
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

  /** Drops the current token, cached copy included: Tailscale refused it. */
  async forget(): Promise<void> {
    await this.#cache.delete(await this.#cacheKey());
    this.#token = null;
  }

  async #fetchToken(operation: string): Promise<CachedToken> {
    const { clientId, clientSecret, baseUrl } = this.#settings;
    const what = `getting an access token (for ${operation})`;
    const res = await sendWithin(
      this.#deadline,
      what,
      REQUEST_TIMEOUT_MS,
      (signal) =>
        this.#fetch(`${baseUrl}/api/v2/oauth/token`, {
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
          signal,
        }),
    );
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
