/**
 * Which Tailscale login a Slack user is, for group profiles: an override an
 * admin set in Slack (the `login_overrides` datastore), else config.ts's
 * `tailscaleLogins`, else the tailnet user whose loginName is their Slack
 * email.
 *
 * @module
 */
import { z } from "zod";
import { LoginOverridesDatastore } from "../../datastores/login_overrides.ts";
import type { Config } from "../config_schema.ts";
import { errorText } from "../text.ts";
import type { TailscaleClient } from "../tailscale/mod.ts";
import { type SlackClient } from "../context.ts";

/** An override as stored. */
export const LoginOverrideSchema = z.object({
  email: z.string().min(1),
  login: z.string().min(1),
  set_by: z.string().optional(),
  set_at: z.string().optional(),
});
/** An override as stored. */
export type LoginOverride = z.output<typeof LoginOverrideSchema>;

/** Where a login came from. */
export type LoginSource = "override" | "config" | "tailnet";

/** A Slack user's Tailscale login and where it came from. */
export type ResolvedLogin = { login: string; source: LoginSource };

/** A datastore read or write of overrides failed. */
export class LoginStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LoginStoreError";
  }
}

/** Reads and writes the admin-set overrides. */
export class LoginOverrides {
  readonly #client: SlackClient;
  constructor(client: SlackClient) {
    this.#client = client;
  }

  /** The override for a Slack email, or null. */
  async get(email: string): Promise<LoginOverride | null> {
    const res = await this.#client.apps.datastore.get({
      datastore: LoginOverridesDatastore.name,
      id: email.toLowerCase(),
    }).catch((e) => ({ ok: false, error: errorText(e) } as const));
    if (!res.ok) {
      throw new LoginStoreError(`could not read login overrides: ${res.error}`);
    }
    const parsed = LoginOverrideSchema.safeParse(res.item);
    return parsed.success ? parsed.data : null;
  }

  /** Every override, following every page. */
  async list(): Promise<LoginOverride[]> {
    const out: LoginOverride[] = [];
    let cursor: string | undefined;
    do {
      const res = await this.#client.apps.datastore.query({
        datastore: LoginOverridesDatastore.name,
        limit: 100,
        ...(cursor ? { cursor } : {}),
      }).catch((e) => ({ ok: false, error: errorText(e) } as const));
      if (!res.ok) {
        throw new LoginStoreError(
          `could not list login overrides: ${res.error}`,
        );
      }
      for (const item of res.items ?? []) {
        const parsed = LoginOverrideSchema.safeParse(item);
        if (parsed.success) out.push(parsed.data);
      }
      cursor = res.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return out.sort((a, b) => a.email.localeCompare(b.email));
  }

  /** Sets the override for a Slack email. */
  async set(override: LoginOverride): Promise<void> {
    const res = await this.#client.apps.datastore.put({
      datastore: LoginOverridesDatastore.name,
      item: { ...override, email: override.email.toLowerCase() },
    }).catch((e) => ({ ok: false, error: errorText(e) } as const));
    if (!res.ok) {
      throw new LoginStoreError(`could not save the override: ${res.error}`);
    }
  }

  /** Clears the override for a Slack email (nothing to clear is fine). */
  async clear(email: string): Promise<void> {
    const res = await this.#client.apps.datastore.delete({
      datastore: LoginOverridesDatastore.name,
      id: email.toLowerCase(),
    }).catch((e) => ({ ok: false, error: errorText(e) } as const));
    if (!res.ok) {
      throw new LoginStoreError(`could not clear the override: ${res.error}`);
    }
  }
}

/**
 * The Tailscale login for a Slack email, or null when there is none: an
 * admin's override, else config.ts's map, else the tailnet user whose
 * loginName equals the email (compared case-insensitively).
 */
export async function resolveLogin(
  client: SlackClient,
  tailscale: TailscaleClient,
  config: Config,
  email: string,
): Promise<ResolvedLogin | null> {
  const key = email.toLowerCase();
  const override = await new LoginOverrides(client).get(key);
  if (override) return { login: override.login, source: "override" };
  const mapped = config.tailscaleLogins[key];
  if (mapped) return { login: mapped, source: "config" };
  const login = await tailnetLogin(tailscale, key);
  return login ? { login, source: "tailnet" } : null;
}

/**
 * The loginName of the tailnet user whose login is `login` (compared
 * case-insensitively, as Tailscale does), or null when there is none.
 */
export async function tailnetLogin(
  tailscale: TailscaleClient,
  login: string,
): Promise<string | null> {
  const key = login.toLowerCase();
  const users = await tailscale.listUsers();
  return users.find((u) => u.loginName.toLowerCase() === key)?.loginName ??
    null;
}
