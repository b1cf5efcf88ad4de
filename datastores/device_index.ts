import { DefineDatastore, Schema } from "deno-slack-sdk/mod.ts";

/**
 * A compact copy of the tailnet's device list for the device picker, in
 * parts under the 400 KB item limit. Item `meta` says which generation is
 * current, until when, and how many parts each group has; `own:<bucket>:<n>`
 * parts hold untagged devices grouped by owner, `rest:<n>` the others.
 */
export const DeviceIndexDatastore = DefineDatastore({
  name: "device_index",
  primary_key: "id",
  time_to_live_attribute: "expires_at",
  attributes: {
    id: { type: Schema.types.string },
    generation: { type: Schema.types.string },
    /** JSON: parts per owner bucket and of the rest. */
    layout: { type: Schema.types.string },
    /** Epoch milliseconds: when the list was read from Tailscale. */
    fetched_at: { type: Schema.types.number },
    /** Epoch milliseconds until which the list counts as current. */
    fresh_until: { type: Schema.types.number },
    /** Unix seconds; Slack's TTL deletes the item eventually, not promptly. */
    expires_at: { type: Schema.slack.types.timestamp },
    /** Tab-separated device rows, one per line. */
    data: { type: Schema.types.string },
  },
});
