/**
 * What each profile opens, cached beside the device index: item `opens` of
 * the `device_index` datastore holds, as JSON in `data`, each profile's
 * summary from the policy file (lib/policy/opens.ts), written whenever the
 * index is refreshed. The approver's prompt reads it with one datastore
 * get, so a request adds no Tailscale call.
 *
 * @module
 */
import { z } from "zod";
import type { Profile } from "../config_schema.ts";
import { type Opens, opensOf, OpensSchema } from "../policy/mod.ts";
import { parseJson } from "../slack/mod.ts";
import type { TailscaleClient } from "../tailscale/mod.ts";
import { errorText } from "../text.ts";
import type { SlackClient } from "../context.ts";
import { datastore } from "./index_store.ts";

/** The item's id in the `device_index` datastore. */
const OPENS_ID = "opens";
/**
 * How long a summary may be shown after it was read. Policies change
 * rarely and the line only informs the approver; the form's warm-up
 * rewrites it far more often than this whenever people ask for access.
 */
export const OPENS_TTL_MS = 60 * 60_000;
/** Keeps the item under Slack's 400 KB limit even at 3 bytes a character. */
const MAX_OPENS_LENGTH = 120_000;

/** Each profile's summary by its key; a profile missing has none. */
export type OpensByProfile = Record<string, Opens>;

const ItemSchema = z.object({
  data: z.string(),
  expires_at: z.number(),
});

/**
 * Each profile's summary from the live policy file; empty when the file
 * cannot be read (no `policy_file:read`, any error), which is logged
 * without the answer's body. Never throws.
 */
export async function policyOpens(
  tailscale: TailscaleClient,
  profiles: readonly Profile[],
): Promise<OpensByProfile> {
  try {
    const { text } = await tailscale.getPolicyFile();
    const byProfile: OpensByProfile = {};
    for (const profile of profiles) {
      const opens = opensOf(text, profile);
      if (opens) byProfile[profile.key] = opens;
    }
    return byProfile;
  } catch (e) {
    console.warn(
      `what profiles open: the policy file could not be read: ${errorText(e)}`,
    );
    return {};
  }
}

/**
 * Stores the summaries, read at `now`. An empty map is stored too: a
 * policy that can no longer be read must not leave an old summary shown.
 *
 * @throws {Error} when the datastore write fails.
 */
export async function writeOpens(
  client: SlackClient,
  byProfile: OpensByProfile,
  now: number,
): Promise<void> {
  let data = JSON.stringify(byProfile);
  if (data.length > MAX_OPENS_LENGTH) {
    console.warn("what profiles open: too many profiles to cache, skipped");
    data = "{}";
  }
  const res = await client.apps.datastore.put({
    datastore,
    item: {
      id: OPENS_ID,
      data,
      fetched_at: now,
      expires_at: Math.floor((now + OPENS_TTL_MS) / 1000),
    },
  });
  if (!res.ok) throw new Error(`put opens: ${res.error}`);
}

/**
 * What the profile `profileKey` opens, as last cached; null when nothing
 * is cached for it, the item expired or cannot be read. One datastore get;
 * never throws.
 *
 * @example
 * ```ts
 * const line = opensText(await readOpens(client, profile.key));
 * // "Opens tag:prod on tcp:22, tcp:443 (policy line 41)"
 * ```
 */
export async function readOpens(
  client: SlackClient,
  profileKey: string,
  now = Date.now(),
): Promise<Opens | null> {
  try {
    const res = await client.apps.datastore.get({ datastore, id: OPENS_ID });
    const item = ItemSchema.safeParse(res.ok ? res.item : undefined);
    // Slack's TTL deletes late: the item's own expiry is the authority.
    if (!item.success || item.data.expires_at * 1000 <= now) return null;
    const all = z.record(z.string(), z.unknown())
      .safeParse(parseJson(item.data.data));
    if (!all.success || !Object.hasOwn(all.data, profileKey)) return null;
    const opens = OpensSchema.safeParse(all.data[profileKey]);
    return opens.success ? opens.data : null;
  } catch (e) {
    console.warn(`what profiles open: cache read failed: ${errorText(e)}`);
    return null;
  }
}
