import { DefineDatastore, Schema } from "deno-slack-sdk/mod.ts";

/**
 * Tailscale logins for people whose login is not their Slack email, set by
 * an admin with the "Tailscale login overrides" shortcut. They take
 * precedence over `tailscaleLogins` in config.ts. Keyed by the Slack email,
 * lower-cased.
 */
export const LoginOverridesDatastore = DefineDatastore({
  name: "login_overrides",
  primary_key: "email",
  attributes: {
    email: { type: Schema.types.string },
    login: { type: Schema.types.string },
    /** The admin who set it, and when. */
    set_by: { type: Schema.slack.types.user_id },
    set_at: { type: Schema.types.string },
  },
});
