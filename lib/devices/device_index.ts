/**
 * The device picker's cache: the tailnet's devices, compacted and stored in
 * the `device_index` datastore, so a keystroke reads one small datastore
 * answer instead of downloading the whole device list from Tailscale.
 *
 * Items: `meta` names the current generation, its freshness and how many
 * parts each group has; `own:<bucket>:<n>` hold untagged devices grouped by
 * a hash of their owner's email; `rest:<n>` hold tagged and ownerless ones.
 *
 * @module
 */
import { z } from "zod";
import { DeviceIndexDatastore } from "../../datastores/device_index.ts";
import {
  bucketOf,
  decodeRows,
  OWNER_BUCKETS,
  ownerOf,
  partitionDevices,
} from "./rows.ts";
import { parseJson } from "../slack/mod.ts";
import type { Device, TailscaleClient } from "../tailscale/mod.ts";
import { type SlackClient } from "../context.ts";

/** How long a cached list counts as current. */
export const INDEX_TTL_MS = 5 * 60_000;
/** Slack's limit on ids per bulkGet and items per bulkPut. */
const BULK_LIMIT = 25;
/** Keeps each bulkPut request well under a megabyte. */
const MAX_WRITE_LENGTH = 400_000;
/** bulkPut calls in flight at once while refreshing. */
const PARALLEL_WRITES = 3;

const LayoutSchema = z.object({
  buckets: z.literal(OWNER_BUCKETS),
  own: z.array(z.number().int().nonnegative()).length(OWNER_BUCKETS),
  rest: z.number().int().nonnegative(),
});
type Layout = z.output<typeof LayoutSchema>;

const MetaSchema = z.object({
  generation: z.string(),
  layout: z.string().transform((s, ctx) => {
    const parsed = LayoutSchema.safeParse(parseJson(s));
    if (parsed.success) return parsed.data;
    ctx.addIssue({ code: "custom", message: "unreadable layout" });
    return z.NEVER;
  }),
  fetched_at: z.number(),
  fresh_until: z.number(),
});
type Meta = z.output<typeof MetaSchema>;

const PartSchema = z.object({ generation: z.string(), data: z.string() });

/** Where a list of devices came from. */
export type LoadedDevices = {
  devices: Device[];
  source: "cache" | "tailscale";
  fetchedAt: number;
};

const datastore = DeviceIndexDatastore.name;

const ownIds = (layout: Layout, bucket: number) =>
  Array.from({ length: layout.own[bucket] }, (_, n) => `own:${bucket}:${n}`);
const restIds = (layout: Layout) =>
  Array.from({ length: layout.rest }, (_, n) => `rest:${n}`);

function batches<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) {
    out.push(list.slice(i, i + size));
  }
  return out;
}

/** Reads items by id (in parallel batches) into `into`. */
async function readItems(
  client: SlackClient,
  ids: readonly string[],
  into: Map<string, unknown>,
): Promise<void> {
  await Promise.all(
    batches(ids.filter((id) => !into.has(id)), BULK_LIMIT).map(async (b) => {
      const res = await client.apps.datastore.bulkGet({ datastore, ids: b });
      if (!res.ok) throw new Error(`bulkGet: ${res.error}`);
      for (const item of res.items ?? []) into.set(String(item.id), item);
    }),
  );
}

/** The current meta, or null when missing, unreadable or expired. */
function currentMeta(item: unknown, now: number): Meta | null {
  const meta = MetaSchema.safeParse(item);
  // Slack's TTL deletes late: the item's own freshness field is the authority.
  return meta.success && meta.data.fresh_until > now ? meta.data : null;
}

/** The devices in the named parts, or null if any is missing or torn. */
function devicesIn(
  items: Map<string, unknown>,
  ids: readonly string[],
  generation: string,
  containing: string,
): Device[] | null {
  const devices: Device[] = [];
  for (const id of ids) {
    const part = PartSchema.safeParse(items.get(id));
    if (!part.success || part.data.generation !== generation) return null;
    const rows = decodeRows(part.data.data, containing);
    if (!rows) return null;
    for (const d of rows) devices.push(d);
  }
  return devices;
}

/**
 * Reads from the index; null when there is no current, whole index. Never
 * throws: the cache is optional.
 */
async function readIndex(
  client: SlackClient,
  now: number,
  firstIds: readonly string[],
  wanted: (layout: Layout) => string[],
  containing = "",
): Promise<{ devices: Device[]; meta: Meta } | null> {
  try {
    const items = new Map<string, unknown>();
    // The first read guesses at the parts it will need, saving a round trip.
    await readItems(client, ["meta", ...firstIds], items);
    const meta = currentMeta(items.get("meta"), now);
    if (!meta) return null;
    const ids = wanted(meta.layout);
    await readItems(client, ids, items);
    const devices = devicesIn(items, ids, meta.generation, containing);
    return devices ? { devices, meta } : null;
  } catch (e) {
    console.warn(
      `device index read failed: ${e instanceof Error ? e.message : e}`,
    );
    return null;
  }
}

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

/** Lists devices from Tailscale and stores them as the current index. */
export async function refreshDeviceIndex(
  client: SlackClient,
  tailscale: TailscaleClient,
  now = Date.now(),
): Promise<LoadedDevices> {
  const devices = await tailscale.listDevices();
  try {
    await writeIndex(client, devices, now);
  } catch (e) {
    console.warn(
      `device index write failed: ${e instanceof Error ? e.message : e}`,
    );
  }
  return { devices, source: "tailscale", fetchedAt: now };
}

async function writeIndex(
  client: SlackClient,
  devices: readonly Device[],
  now: number,
): Promise<void> {
  const { own, rest } = partitionDevices(devices);
  const generation = `${now}-${crypto.randomUUID().slice(0, 8)}`;
  const expiresAt = Math.floor((now + 2 * INDEX_TTL_MS) / 1000);
  const items = [
    ...rest.map((data, n) => ({ id: `rest:${n}`, data })),
    ...own.flatMap((parts, b) =>
      parts.map((data, n) => ({ id: `own:${b}:${n}`, data }))
    ),
  ].map((p) => ({ ...p, generation, expires_at: expiresAt }));
  // Parts first, meta last: readers only trust parts the meta names.
  const writes = sizedBatches(items);
  let next = 0;
  const worker = async () => {
    while (next < writes.length) {
      const batch = writes[next++];
      const res = await client.apps.datastore.bulkPut({
        datastore,
        items: batch,
      });
      const failed = (res.failed_items ?? []) as unknown[];
      if (!res.ok || failed.length) {
        throw new Error(`bulkPut: ${res.error ?? `${failed.length} failed`}`);
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_WRITES }, worker));
  const layout: Layout = {
    buckets: OWNER_BUCKETS,
    own: own.map((parts) => parts.length),
    rest: rest.length,
  };
  const res = await client.apps.datastore.put({
    datastore,
    item: {
      id: "meta",
      generation,
      layout: JSON.stringify(layout),
      fetched_at: now,
      fresh_until: now + INDEX_TTL_MS,
      expires_at: expiresAt,
    },
  });
  if (!res.ok) throw new Error(`put meta: ${res.error}`);
}

/** Batches for bulkPut: at most 25 items and about 400 KB each. */
function sizedBatches<T extends { data: string }>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let length = 0;
  for (const item of items) {
    if (
      current.length &&
      (current.length === BULK_LIMIT ||
        length + item.data.length > MAX_WRITE_LENGTH)
    ) {
      out.push(current);
      current = [];
      length = 0;
    }
    current.push(item);
    length += item.data.length;
  }
  if (current.length) out.push(current);
  return out;
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
    return mine(await refreshDeviceIndex(client, tailscale, now));
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
 * that already wait on the network, so keystrokes find it fresh.
 */
export async function warmDeviceIndex(
  client: SlackClient,
  tailscale: TailscaleClient,
  now = Date.now(),
): Promise<void> {
  let meta: Meta | null = null;
  try {
    const res = await client.apps.datastore.get({ datastore, id: "meta" });
    meta = res.ok ? currentMeta(res.item, now) : null;
  } catch {
    // No readable meta: refresh.
  }
  if (meta && now - meta.fetched_at < INDEX_TTL_MS / 2) return;
  await refreshDeviceIndex(client, tailscale, now);
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
