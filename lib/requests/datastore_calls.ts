/**
 * The datastore calls the request store makes, each turning Slack's failures
 * into a {@linkcode RecordError}: one item read or written, every page of a
 * query, and the bulk methods in batches of 25 (Slack's limit), some at once.
 *
 * @module
 */
import { type SlackClient } from "../context.ts";
import { errorText } from "../text.ts";

/** A datastore read or write failed; nothing was decided. */
export class RecordError extends Error {
  /**
   * @example
   * ```ts
   * throw new RecordError("could not read request 1234: ratelimited");
   * ```
   */
  constructor(message: string) {
    super(message);
    this.name = "RecordError";
  }
}

/** Slack's bulk methods take at most 25 ids or items. */
const BULK = 25;
/** Bulk calls in flight at once (bulk methods are Tier 3). */
const BULK_CONCURRENCY = 8;

/** A stored item, as Slack returns it (not yet checked). */
export type StoredItem = Record<string, unknown>;

/** A query's filter: its expression and the names and values it uses. */
export type QueryFilter = {
  expression: string;
  names: Record<string, string>;
  values: Record<string, string>;
};

/**
 * One item by ID, or null when there is none; throws a
 * {@linkcode RecordError} naming `what` when the read failed.
 */
export async function getItem(
  client: SlackClient,
  datastore: string,
  id: string,
  what: string,
): Promise<StoredItem | null> {
  let res;
  try {
    res = await client.apps.datastore.get({ datastore, id });
  } catch (e) {
    throw new RecordError(`${what}: ${errorText(e)}`);
  }
  if (!res.ok) throw new RecordError(`${what}: ${res.error}`);
  if (!res.item || Object.keys(res.item).length === 0) return null;
  return res.item as StoredItem;
}

/** One item written whole; throws a {@linkcode RecordError} naming `what`. */
export async function putItem(
  client: SlackClient,
  datastore: string,
  item: StoredItem,
  what: string,
): Promise<void> {
  let res;
  try {
    res = await client.apps.datastore.put({ datastore, item });
  } catch (e) {
    throw new RecordError(`${what}: ${errorText(e)}`);
  }
  if (!res.ok) throw new RecordError(`${what}: ${res.error}`);
}

/** Every item of a query, following every cursor, `limit` items a page. */
export async function queryAll(
  client: SlackClient,
  datastore: string,
  filter: QueryFilter | undefined,
  limit: number,
  what: string,
): Promise<StoredItem[]> {
  const out: StoredItem[] = [];
  let cursor: string | undefined;
  do {
    let res;
    try {
      res = await client.apps.datastore.query({
        datastore,
        ...(filter
          ? {
            expression: filter.expression,
            expression_attributes: filter.names,
            expression_values: filter.values,
          }
          : {}),
        limit,
        ...(cursor ? { cursor } : {}),
      });
    } catch (e) {
      throw new RecordError(`${what}: ${errorText(e)}`);
    }
    if (!res.ok) throw new RecordError(`${what}: ${res.error}`);
    out.push(...(res.items ?? []) as StoredItem[]);
    cursor = res.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return out;
}

/**
 * Writes `items` (25 a call, some calls at once); throws a
 * {@linkcode RecordError} naming `what` if any could not be written.
 */
export async function putMany(
  client: SlackClient,
  datastore: string,
  items: readonly (StoredItem & { id: string })[],
  what: string,
): Promise<void> {
  await inBatches(items, async (batch) => {
    await sendWithRetry(
      batch,
      (i) => i.id,
      (want) => client.apps.datastore.bulkPut({ datastore, items: want }),
      what,
    );
  });
}

/**
 * Items by ID (25 a call, some calls at once); missing ones are absent.
 * Throws a {@linkcode RecordError} naming `what` if any could not be read.
 */
export async function getMany(
  client: SlackClient,
  datastore: string,
  ids: readonly string[],
  what: string,
): Promise<Map<string, StoredItem>> {
  const out = new Map<string, StoredItem>();
  await inBatches(ids, async (batch) => {
    await sendWithRetry(batch, (id) => id, async (want) => {
      const res = await client.apps.datastore.bulkGet({ datastore, ids: want });
      for (const item of (res.items ?? []) as StoredItem[]) {
        if (typeof item.id === "string") out.set(item.id, item);
      }
      return res;
    }, what);
  });
  return out;
}

/** What a bulk method answers. */
type BulkAnswer = { ok: boolean; error?: string; failed_items?: unknown };

/**
 * Sends one batch with a bulk method, then once more the part Slack reports
 * failed; throws a {@linkcode RecordError} naming `what` when that fails too.
 */
async function sendWithRetry<T>(
  batch: T[],
  idOf: (t: T) => string,
  send: (want: T[]) => Promise<BulkAnswer>,
  what: string,
): Promise<void> {
  let want = batch;
  // Slack answers a partly failed bulk call with the failed items;
  // its advice is to send those again.
  for (let attempt = 0; want.length; attempt++) {
    let res;
    try {
      res = await send(want);
    } catch (e) {
      throw new RecordError(`${what}: ${errorText(e)}`);
    }
    const failed = new Set(failedIds(res));
    if (!res.ok && !(res.error === "partial_failure" && failed.size)) {
      throw new RecordError(`${what}: ${res.error}`);
    }
    want = want.filter((t) => failed.has(idOf(t)));
    if (want.length && attempt >= 1) {
      throw new RecordError(`${what} ${want.map(idOf).join(", ")}`);
    }
  }
}

/** Deletes items by ID (25 a call); a failure is only logged, as `what`. */
export async function deleteMany(
  client: SlackClient,
  datastore: string,
  ids: readonly string[],
  what: string,
): Promise<void> {
  await inBatches(ids, async (batch) => {
    try {
      const res = await client.apps.datastore.bulkDelete({
        datastore,
        ids: batch,
      });
      if (!res.ok) throw new Error(res.error);
    } catch (e) {
      console.warn(`${what}: ${errorText(e)}`);
    }
  });
}

/** IDs a bulk call reports as failed (`failed_items`: items or IDs). */
function failedIds(res: { failed_items?: unknown }): string[] {
  const failed = Array.isArray(res.failed_items) ? res.failed_items : [];
  return failed.map((f) =>
    typeof f === "string" ? f : String(
      (f as { id?: unknown; item?: { id?: unknown } })?.id ??
        (f as { item?: { id?: unknown } })?.item?.id ?? "",
    )
  ).filter(Boolean);
}

/**
 * Runs `fn` on `items` in batches of 25 (Slack's bulk limit), at most
 * {@linkcode BULK_CONCURRENCY} at once.
 */
async function inBatches<T>(
  items: readonly T[],
  fn: (batch: T[]) => Promise<void>,
): Promise<void> {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += BULK) {
    batches.push(items.slice(i, i + BULK));
  }
  let next = 0;
  const worker = async () => {
    while (next < batches.length) await fn(batches[next++]);
  };
  await Promise.all(
    Array.from(
      { length: Math.min(BULK_CONCURRENCY, batches.length) },
      worker,
    ),
  );
}
