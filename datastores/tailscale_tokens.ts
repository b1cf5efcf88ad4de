import { DefineDatastore, Schema } from "deno-slack-sdk/mod.ts";

/**
 * Tailscale API access tokens, reused across events until shortly before
 * they expire (every event runs in a fresh isolate, so memory cannot hold
 * them). The key is a hash of the OAuth client ID, never the secret.
 */
export const TailscaleTokensDatastore = DefineDatastore({
  name: "tailscale_tokens",
  primary_key: "id",
  time_to_live_attribute: "expires_at",
  attributes: {
    id: { type: Schema.types.string },
    access_token: { type: Schema.types.string },
    /** Unix seconds; Slack's TTL removes the item eventually, not promptly. */
    expires_at: { type: Schema.slack.types.timestamp },
  },
});
