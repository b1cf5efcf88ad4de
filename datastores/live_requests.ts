import { DefineDatastore, Schema } from "deno-slack-sdk/mod.ts";

/**
 * One small item per request the app still acts on (pending, approved or
 * granted, or holding a group membership the app added), so that listing
 * live work never scans the whole `requests` history: Slack's
 * `apps.datastore.query` is a scan, priced by every item it reads.
 *
 * The item is written before its record turns live and removed by readers
 * once the record has been over for a while (see `LiveIndex` in
 * `lib/requests/live_index.ts`). Item `~built` (with `built_at`) marks the
 * index as built from the existing records; without it the next listing
 * builds it.
 */
export const LiveRequestsDatastore = DefineDatastore({
  name: "live_requests",
  primary_key: "id",
  attributes: {
    /** The request's ID (its key in `requests`), or `~built`. */
    id: { type: Schema.types.string },
    /** Who asked, so one person's listing reads only their items. */
    requester: { type: Schema.types.string },
    /** When the item was written (ISO 8601). */
    since: { type: Schema.types.string },
    /** On the `~built` marker only: when the index was built (ISO 8601). */
    built_at: { type: Schema.types.string },
  },
});
