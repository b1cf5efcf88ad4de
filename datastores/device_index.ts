import { DefineDatastore, Schema } from "deno-slack-sdk/mod.ts";

/**
 * A compact copy of the tailnet's device list for the device picker, split
 * into chunks under the 400 KB item limit. Item `meta` says which generation
 * is current and until when; `chunk:N` items hold the devices.
 */
export const DeviceIndexDatastore = DefineDatastore({
  name: "device_index",
  primary_key: "id",
  time_to_live_attribute: "expires_at",
  attributes: {
    id: { type: Schema.types.string },
    generation: { type: Schema.types.string },
    chunk_count: { type: Schema.types.integer },
    /** Epoch milliseconds: when the list was read from Tailscale. */
    fetched_at: { type: Schema.types.number },
    /** Epoch milliseconds until which the list counts as current. */
    fresh_until: { type: Schema.types.number },
    /** Unix seconds; Slack's TTL deletes the item eventually, not promptly. */
    expires_at: { type: Schema.slack.types.timestamp },
    /** JSON array of compact device tuples. */
    data: { type: Schema.types.string },
  },
});
