/**
 * The Tailscale side of the app: settings, client, errors and shapes.
 *
 * @module
 */
import type { Deadline } from "../slack/mod.ts";
import { TailscaleClient } from "./client.ts";
import { readTailscaleSettings } from "./settings.ts";
import { datastoreTokenCache } from "./token_cache.ts";
import type { SlackClient } from "../context.ts";

export { TailscaleClient } from "./client.ts";
export { MAX_COMMENT_LENGTH } from "./attributes.ts";
export type {
  AttributeValue,
  DeviceAttributes,
  PostureAttributeWrite,
} from "./attributes.ts";
export type { DeviceFilter } from "./devices.ts";
export type { PolicyValidation } from "./policy_file.ts";
export type { PolicyTest, RuleMatch } from "./policy_tests.ts";
export type { TailnetSettings } from "./tailnet_settings.ts";
export { FULL_LISTING_TIMEOUT_MS } from "./timing.ts";
export { REQUIRED_SCOPES, TailscaleApiError } from "./errors.ts";
export type { TailscaleErrorKind } from "./errors.ts";
export type { Device } from "./schemas.ts";
export { DeviceSchema } from "./schemas.ts";
export { readTailscaleSettings, REQUIRED_VARIABLES } from "./settings.ts";
export type { TailscaleSettings } from "./settings.ts";
export type { CachedToken, TokenCache } from "./token_cache.ts";
export { memoryTokenCache } from "./token_cache.ts";

/** Either a ready client, or the environment variables still to set. */
export type ClientResult =
  | { ok: true; tailscale: TailscaleClient }
  | { ok: false; missing: string[] };

/**
 * Builds the client for a function invocation: settings from the app's
 * environment, tokens shared through the `tailscale_tokens` datastore.
 */
export function tailscaleFromEnv(
  env: Record<string, string | undefined>,
  slack: SlackClient,
  deadline?: Deadline,
): ClientResult {
  const read = readTailscaleSettings(env);
  if (!read.ok) return read;
  // An admin may shorten the retry budget (e.g. for a slow-failing network).
  const budget = Number(env.TAILSCALE_RETRY_BUDGET_MS);
  return {
    ok: true,
    tailscale: new TailscaleClient(read.settings, datastoreTokenCache(slack), {
      retry: Number.isFinite(budget) && budget >= 0 ? { budgetMs: budget } : {},
      ...(deadline ? { deadline } : {}),
    }),
  };
}
