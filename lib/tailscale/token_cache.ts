/**
 * Where Tailscale access tokens are kept between events.
 *
 * @module
 */
import { TailscaleTokensDatastore } from "../../datastores/tailscale_tokens.ts";
import { type SlackClient } from "../context.ts";

/** An access token and when it stops working (epoch milliseconds). */
export type CachedToken = { accessToken: string; expiresAt: number };

/** Storage for access tokens. Failures must not throw: a cache is optional. */
export interface TokenCache {
  get(key: string): Promise<CachedToken | null>;
  put(key: string, token: CachedToken): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * A token cache in the `tailscale_tokens` datastore. Read or write failures
 * are logged (without the token) and treated as a miss: the app can always
 * fetch a fresh token instead.
 */
export function datastoreTokenCache(client: SlackClient): TokenCache {
  const datastore = TailscaleTokensDatastore.name;
  return {
    async get(key) {
      try {
        const res = await client.apps.datastore.get({ datastore, id: key });
        const item = res.ok ? res.item : undefined;
        if (
          typeof item?.access_token !== "string" ||
          typeof item?.expires_at !== "number"
        ) {
          if (!res.ok) console.warn(`token cache read failed: ${res.error}`);
          return null;
        }
        return {
          accessToken: item.access_token,
          expiresAt: item.expires_at * 1000,
        };
      } catch (e) {
        console.warn(`token cache read failed: ${errorName(e)}`);
        return null;
      }
    },
    async put(key, token) {
      try {
        const res = await client.apps.datastore.put({
          datastore,
          item: {
            id: key,
            access_token: token.accessToken,
            expires_at: Math.floor(token.expiresAt / 1000),
          },
        });
        if (!res.ok) console.warn(`token cache write failed: ${res.error}`);
      } catch (e) {
        console.warn(`token cache write failed: ${errorName(e)}`);
      }
    },
    async delete(key) {
      try {
        await client.apps.datastore.delete({ datastore, id: key });
      } catch (e) {
        console.warn(`token cache delete failed: ${errorName(e)}`);
      }
    },
  };
}

/** Only the error's name: an HTTP error text could echo request content. */
function errorName(e: unknown): string {
  return e instanceof Error ? e.name : "unknown error";
}

/**
 * A token cache in memory, for one process that must not write the app's
 * datastore (the setup checks): one run needs one token.
 *
 * @example
 * ```ts
 * const tailscale = new TailscaleClient(settings, memoryTokenCache());
 * ```
 */
export function memoryTokenCache(): TokenCache {
  const items = new Map<string, CachedToken>();
  return {
    get: (k) => Promise.resolve(items.get(k) ?? null),
    put: (k, t) => Promise.resolve(void items.set(k, t)),
    delete: (k) => Promise.resolve(void items.delete(k)),
  };
}
