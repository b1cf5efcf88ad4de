/**
 * The device picker's cache: the tailnet's devices, compacted and stored in
 * the `device_index` datastore, so a keystroke reads one datastore answer
 * instead of downloading the whole device list from Tailscale.
 *
 * @module
 */
import type { SlackAPI } from "deno-slack-sdk/mod.ts";
import { z } from "zod";
import { DeviceIndexDatastore } from "../datastores/device_index.ts";
import type { Device, TailscaleClient } from "./tailscale/mod.ts";

type SlackClient = ReturnType<typeof SlackAPI>;

/** How long a cached list counts as current. */
export const INDEX_TTL_MS = 5 * 60_000;
/** Keep chunks well under Slack's 400 KB item limit. */
const MAX_CHUNK_BYTES = 120_000;
/**
 * Chunks per bulkGet. Answers stay under ~1 MB (the npm build of the SDK's
 * HTTP client stalls on multi-megabyte answers under Deno 1.46); batches
 * after the first are read in parallel.
 */
const CHUNKS_PER_READ = 3;

/** [nodeId, hostname, name, user, os, addresses, tags, lastSeen]. */
type Compact = [string, string, string, string, string, string, string, string];

const CompactSchema = z.array(z.tuple([
  z.string(),
  z.string(),
  z.string(),
  z.string(),
  z.string(),
  z.string(),
  z.string(),
  z.string(),
]));

const MetaSchema = z.object({
  generation: z.string(),
  chunk_count: z.number().int().nonnegative(),
  fetched_at: z.number(),
  fresh_until: z.number(),
});

const ChunkSchema = z.object({ generation: z.string(), data: z.string() });

function compact(d: Device): Compact {
  return [
    d.nodeId,
    d.hostname,
    d.name,
    d.user,
    d.os,
    d.addresses.join(" "),
    d.tags.join(" "),
    d.lastSeen ?? "",
  ];
}

function expand(c: Compact): Device {
  return {
    nodeId: c[0],
    hostname: c[1],
    name: c[2],
    user: c[3],
    os: c[4],
    addresses: c[5] ? c[5].split(" ") : [],
    tags: c[6] ? c[6].split(" ") : [],
    ...(c[7] ? { lastSeen: c[7] } : {}),
  };
}

/** Splits devices into JSON chunks of at most ~300 KB each. */
export function encodeChunks(devices: readonly Device[]): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 2;
  for (const d of devices) {
    const entry = JSON.stringify(compact(d));
    if (size + entry.length + 1 > MAX_CHUNK_BYTES && current.length) {
      chunks.push(`[${current.join(",")}]`);
      current = [];
      size = 2;
    }
    current.push(entry);
    size += entry.length + 1;
  }
  if (current.length || chunks.length === 0) {
    chunks.push(`[${current.join(",")}]`);
  }
  return chunks;
}

/** The devices in a set of chunks. */
export function decodeChunks(chunks: readonly string[]): Device[] {
  return chunks.flatMap((c) => CompactSchema.parse(JSON.parse(c)).map(expand));
}

/** Where a list of devices came from. */
export type LoadedDevices = {
  devices: Device[];
  source: "cache" | "tailscale";
  fetchedAt: number;
};

const datastore = DeviceIndexDatastore.name;

/**
 * The current cached list, or null when there is none, it has expired, or
 * it is torn (a refresh was half-written). Never throws: a cache is optional.
 */
export async function readDeviceIndex(
  client: SlackClient,
  now: number,
): Promise<LoadedDevices | null> {
  try {
    const items = new Map<string, unknown>();
    const read = async (ids: string[]) => {
      const res = await client.apps.datastore.bulkGet({ datastore, ids });
      for (const item of res.ok ? res.items ?? [] : []) {
        items.set(String(item.id), item);
      }
    };
    await read(["meta", ...chunkIds(0, CHUNKS_PER_READ)]);
    const meta = MetaSchema.safeParse(items.get("meta"));
    // Slack's TTL deletes late: an item's own expiry field is the authority.
    if (!meta.success || meta.data.fresh_until <= now) return null;
    const batches: Promise<void>[] = [];
    for (
      let i = CHUNKS_PER_READ;
      i < meta.data.chunk_count;
      i += CHUNKS_PER_READ
    ) {
      batches.push(
        read(chunkIds(i, Math.min(i + CHUNKS_PER_READ, meta.data.chunk_count))),
      );
    }
    await Promise.all(batches);
    const chunks: string[] = [];
    for (let i = 0; i < meta.data.chunk_count; i++) {
      const chunk = ChunkSchema.safeParse(items.get(`chunk:${i}`));
      if (!chunk.success || chunk.data.generation !== meta.data.generation) {
        return null;
      }
      chunks.push(chunk.data.data);
    }
    return {
      devices: decodeChunks(chunks),
      source: "cache",
      fetchedAt: meta.data.fetched_at,
    };
  } catch (e) {
    console.warn(
      `device index read failed: ${e instanceof Error ? e.name : e}`,
    );
    return null;
  }
}

function chunkIds(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => `chunk:${from + i}`);
}

/** Lists devices from Tailscale and stores them as the current index. */
export async function refreshDeviceIndex(
  client: SlackClient,
  tailscale: TailscaleClient,
  now = Date.now(),
): Promise<LoadedDevices> {
  const devices = await tailscale.listDevices();
  const chunks = encodeChunks(devices);
  const generation = `${now}-${crypto.randomUUID().slice(0, 8)}`;
  const expiresAt = Math.floor((now + 2 * INDEX_TTL_MS) / 1000);
  try {
    // Chunks first, meta last: readers only trust chunks the meta names.
    // One at a time: this runs off the keystroke path, and a burst of large
    // parallel writes is what stalls the npm SDK client under Deno 1.46.
    const written = [];
    for (const [i, data] of chunks.entries()) {
      written.push(
        await client.apps.datastore.put({
          datastore,
          item: { id: `chunk:${i}`, generation, data, expires_at: expiresAt },
        }),
      );
    }
    const failed = written.find((r) => !r.ok);
    if (failed) {
      console.warn(`device index write failed: ${failed.error}`);
    } else {
      await client.apps.datastore.put({
        datastore,
        item: {
          id: "meta",
          generation,
          chunk_count: chunks.length,
          fetched_at: now,
          fresh_until: now + INDEX_TTL_MS,
          expires_at: expiresAt,
        },
      });
    }
  } catch (e) {
    console.warn(
      `device index write failed: ${e instanceof Error ? e.name : e}`,
    );
  }
  return { devices, source: "tailscale", fetchedAt: now };
}

/** The cached list if current, else a fresh one from Tailscale. */
export async function loadDevices(
  client: SlackClient,
  tailscale: TailscaleClient,
  now = Date.now(),
  useCache = true,
): Promise<LoadedDevices> {
  if (!useCache) {
    const devices = await tailscale.listDevices();
    return { devices, source: "tailscale", fetchedAt: now };
  }
  return await readDeviceIndex(client, now) ??
    await refreshDeviceIndex(client, tailscale, now);
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
  const current = await readDeviceIndex(client, now);
  if (current && now - current.fetchedAt < INDEX_TTL_MS / 2) return;
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
