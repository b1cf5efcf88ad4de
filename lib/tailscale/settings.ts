/**
 * Reading the Tailscale connection settings from the app's environment
 * (`slack env add …` on Slack, `.env` for `slack run`).
 *
 * @module
 */

/** Where and as whom the app talks to Tailscale. */
export type TailscaleSettings = {
  clientId: string;
  clientSecret: string;
  /** API origin without a trailing slash, e.g. `https://api.tailscale.com`. */
  baseUrl: string;
  /** Tailnet name for tailnet-scoped calls; `-` means the client's own. */
  tailnet: string;
};

/** The variables an admin must set, in the order the README gives them. */
export const REQUIRED_VARIABLES = [
  "TAILSCALE_CLIENT_ID",
  "TAILSCALE_CLIENT_SECRET",
] as const;

/** The default Tailscale API origin. */
export const DEFAULT_API_URL = "https://api.tailscale.com";

/** Either the settings, or the names of the variables that are missing. */
export type SettingsResult =
  | { ok: true; settings: TailscaleSettings }
  | { ok: false; missing: string[] };

/** Reads the settings; blank values count as missing. */
export function readTailscaleSettings(
  env: Record<string, string | undefined>,
): SettingsResult {
  const missing = REQUIRED_VARIABLES.filter((name) => !env[name]?.trim());
  if (missing.length) return { ok: false, missing };
  return {
    ok: true,
    settings: {
      clientId: env.TAILSCALE_CLIENT_ID!.trim(),
      clientSecret: env.TAILSCALE_CLIENT_SECRET!.trim(),
      baseUrl: (env.TAILSCALE_API_URL?.trim() || DEFAULT_API_URL).replace(
        /\/+$/,
        "",
      ),
      tailnet: env.TAILSCALE_TAILNET?.trim() || "-",
    },
  };
}
