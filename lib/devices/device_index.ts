/**
 * The device picker's cache: the tailnet's devices, compacted and stored in
 * the `device_index` datastore, so a keystroke reads one small datastore
 * answer instead of downloading the whole device list from Tailscale. The
 * layout and the raw reads and writes are in index_store.ts.
 *
 * @module
 */
import { bucketOf, OWNER_BUCKETS, ownerOf } from "./rows.ts";
import {
  BULK_LIMIT,
  datastore,
  INDEX_TTL_MS,
  ownIds,
  readCurrentMeta,
  readIndex,
  restIds,
  writeIndex,
} from "./index_store.ts";
import { policyOpens, writeOpens } from "./opens_store.ts";
import type { Device, TailscaleClient } from "../tailscale/mod.ts";
import type { Profile } from "../config_schema.ts";
import { errorText } from "../text.ts";
import { type SlackClient } from "../context.ts";

export { INDEX_TTL_MS };

/** Where a list of devices came from. */
export type LoadedDevices = {
  devices: Device[];
  source: "cache" | "tailscale";
  fetchedAt: number;
};

/**
 * The whole cached list, or null when there is none, it expired, or it is
 * torn. With `containing` (lower-case), only devices whose stored row
 * contains that text: every device whose name, hostname, IP or node ID
 * does, and maybe a few more.
 */
export async function readDeviceIndex(
  client: SlackClient,
  now: number,
  containing = "",
): Promise<LoadedDevices | null> {
  // Every owner group's first part, and as many "rest" parts as fit in the
  // same three bulkGets: all there usually is, in one parallel round.
  const own = Array.from({ length: OWNER_BUCKETS }, (_, b) => `own:${b}:0`);
  const batches = Math.ceil((own.length + 2) / BULK_LIMIT);
  const guess = [
    ...own,
    ...Array.from(
      { length: batches * BULK_LIMIT - own.length - 1 },
      (_, n) => `rest:${n}`,
    ),
  ];
  const read = await readIndex(client, now, guess, (layout) => [
    ...restIds(layout),
    ...Array.from({ length: OWNER_BUCKETS }, (_, b) => ownIds(layout, b))
      .flat(),
  ], containing);
  return read && {
    devices: read.devices,
    source: "cache",
    fetchedAt: read.meta.fetched_at,
  };
}

/**
 * The cached devices owned by `email` (untagged, registered by them): one
 * small read whatever the tailnet's size. Null as for {@linkcode readDeviceIndex}.
 */
export async function readOwnDevices(
  client: SlackClient,
  email: string,
  now: number,
): Promise<LoadedDevices | null> {
  const owner = email.toLowerCase();
  const bucket = bucketOf(owner);
  const read = await readIndex(
    client,
    now,
    [`own:${bucket}:0`],
    (layout) => ownIds(layout, bucket),
  );
  return read && {
    devices: read.devices.filter((d) => ownerOf(d) === owner),
    source: "cache",
    fetchedAt: read.meta.fetched_at,
  };
}

/**
 * Lists devices from Tailscale and stores them as the current index; with
 * `profiles`, also reads the policy file (at the same time; its failure
 * only means no summary) and caches what each profile opens.
 */
export async function refreshDeviceIndex(
  client: SlackClient,
  tailscale: TailscaleClient,
  now = Date.now(),
  profiles: readonly Profile[] = [],
): Promise<LoadedDevices> {
  const [devices, opens] = await Promise.all([
    tailscale.listDevices(),
    profiles.length ? policyOpens(tailscale, profiles) : undefined,
  ]);
  await Promise.all([
    writeIndex(client, devices, now).catch((e) =>
      console.warn(`device index write failed: ${errorText(e)}`)
    ),
    opens &&
    writeOpens(client, opens, now).catch((e) =>
      console.warn(`what profiles open: write failed: ${errorText(e)}`)
    ),
  ]);
  return { devices, source: "tailscale", fetchedAt: now };
}

/** How to load devices. */
export type LoadOptions = {
  now?: number;
  /** False: always list from Tailscale (the naive baseline and a fallback). */
  useCache?: boolean;
  /**
   * False: a cold cache for one person's devices refreshes the whole index
   * instead of asking Tailscale for theirs (the benchmark's baseline).
   */
  userFilter?: boolean;
  /** Only this person's own devices (untagged and registered by them). */
  owner?: string;
  /**
   * From the cache, devices whose stored row contains this text (any case):
   * a superset of those matching it as a picker query. Ignored otherwise.
   */
  containing?: string;
  /** The profiles whose summaries a refresh caches along (see refreshDeviceIndex). */
  profiles?: readonly Profile[];
};

/**
 * The cached list if current, else a fresh one from Tailscale: for one
 * person's devices, only theirs (Tailscale's `user` filter, so the answer's
 * size does not grow with the tailnet); else the whole tailnet, which also
 * refreshes the index.
 */
export async function loadDevices(
  client: SlackClient,
  tailscale: TailscaleClient,
  opts: LoadOptions = {},
): Promise<LoadedDevices> {
  const now = opts.now ?? Date.now();
  const owner = opts.owner?.toLowerCase();
  const mine = (l: LoadedDevices): LoadedDevices =>
    owner === undefined
      ? l
      : { ...l, devices: l.devices.filter((d) => ownerOf(d) === owner) };
  if (opts.useCache === false) {
    return mine({
      devices: await tailscale.listDevices(),
      source: "tailscale",
      fetchedAt: now,
    });
  }
  const cached = owner === undefined
    ? await readDeviceIndex(
      client,
      now,
      (opts.containing ?? "").trim().toLowerCase(),
    )
    : await readOwnDevices(client, owner, now);
  if (cached) return cached;
  if (owner === undefined || opts.userFilter === false) {
    return mine(
      await refreshDeviceIndex(client, tailscale, now, opts.profiles),
    );
  }
  return mine({
    // Tagged devices the person registered come back too; `mine` drops them.
    devices: await tailscale.listDevices({ user: owner }),
    source: "tailscale",
    fetchedAt: now,
  });
}

/**
 * One device from the current index (only among `owner`'s devices, when
 * given), or null when the index does not have it or is not current. Never
 * asks Tailscale and never throws.
 */
export async function cachedDevice(
  client: SlackClient,
  nodeId: string,
  owner?: string,
  now = Date.now(),
): Promise<Device | null> {
  const loaded = owner === undefined
    ? await readDeviceIndex(client, now, nodeId.toLowerCase())
    : await readOwnDevices(client, owner, now);
  return loaded?.devices.find((d) => d.nodeId === nodeId) ?? null;
}

/**
 * Refreshes the index when it is missing or past half its life; for events
 * that already wait on the network, so keystrokes find it fresh. With
 * `profiles`, what each opens is cached along (see refreshDeviceIndex).
 */
export async function warmDeviceIndex(
  client: SlackClient,
  tailscale: TailscaleClient,
  now = Date.now(),
  profiles: readonly Profile[] = [],
): Promise<void> {
  const meta = await readCurrentMeta(client, now);
  // No readable, current meta: refresh.
  if (meta && now - meta.fetched_at < INDEX_TTL_MS / 2) return;
  await refreshDeviceIndex(client, tailscale, now, profiles);
}

/** Marks the index stale (a device it listed turned out to be gone). */
export async function invalidateDeviceIndex(
  client: SlackClient,
): Promise<void> {
  try {
    await client.apps.datastore.delete({ datastore, id: "meta" });
  } catch (e) {
    console.warn(
      `device index invalidation failed: ${e instanceof Error ? e.name : e}`,
    );
  }
}
