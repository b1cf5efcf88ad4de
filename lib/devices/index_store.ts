/**
 * How the device index is laid out in the `device_index` datastore, and
 * reading and writing it whole. Items: `meta` names the current generation,
 * its freshness and how many parts each group has; `own:<bucket>:<n>` hold
 * untagged devices grouped by a hash of their owner's email; `rest:<n>`
 * hold tagged and ownerless ones. Internal to `lib/devices`: the rest of
 * the app goes through device_index.ts.
 *
 * @module
 */
import { z } from "zod";
import { DeviceIndexDatastore } from "../../datastores/device_index.ts";
import { decodeRows, OWNER_BUCKETS, partitionDevices } from "./rows.ts";
import { parseJson } from "../slack/mod.ts";
import type { Device } from "../tailscale/mod.ts";
import { errorText } from "../text.ts";
import { type SlackClient } from "../context.ts";

/** How long a cached list counts as current. */
export const INDEX_TTL_MS = 5 * 60_000;
/** Slack's limit on ids per bulkGet and items per bulkPut. */
export const BULK_LIMIT = 25;
/** Keeps each bulkPut request well under a megabyte. */
const MAX_WRITE_LENGTH = 400_000;
/** bulkPut calls in flight at once while refreshing. */
const PARALLEL_WRITES = 3;

const LayoutSchema = z.object({
  buckets: z.literal(OWNER_BUCKETS),
  own: z.array(z.number().int().nonnegative()).length(OWNER_BUCKETS),
  rest: z.number().int().nonnegative(),
});
/** How many parts each group of the current generation has. */
export type Layout = z.output<typeof LayoutSchema>;

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
/** The current generation, its layout and freshness. */
export type Meta = z.output<typeof MetaSchema>;

const PartSchema = z.object({ generation: z.string(), data: z.string() });

/** The datastore holding the index. */
export const datastore: string = DeviceIndexDatastore.name;

/** The ids of an owner group's parts. */
export function ownIds(layout: Layout, bucket: number): string[] {
  return Array.from(
    { length: layout.own[bucket] },
    (_, n) => `own:${bucket}:${n}`,
  );
}

/** The ids of the tagged and ownerless parts. */
export function restIds(layout: Layout): string[] {
  return Array.from({ length: layout.rest }, (_, n) => `rest:${n}`);
}

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
export async function readIndex(
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
    console.warn(`device index read failed: ${errorText(e)}`);
    return null;
  }
}

/**
 * The current meta as stored, or null when missing, unreadable or expired.
 * Never throws.
 */
export async function readCurrentMeta(
  client: SlackClient,
  now: number,
): Promise<Meta | null> {
  try {
    const res = await client.apps.datastore.get({ datastore, id: "meta" });
    return res.ok ? currentMeta(res.item, now) : null;
  } catch {
    return null;
  }
}

/**
 * Stores `devices` as a new generation of the index, current from `now`.
 *
 * @throws {Error} when a datastore write fails.
 */
export async function writeIndex(
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
