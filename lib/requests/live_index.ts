/**
 * The `live_requests` index: one small item per request the app still acts
 * on (see {@linkcode isLive}), so that listing live work never scans the
 * whole `requests` history.
 *
 * Slack's `apps.datastore.query` is a scan: every page reads up to 1,000
 * stored items (or 1 MB) and filters afterwards, so listing live requests by
 * querying `requests` would cost every request ever recorded. The index holds
 * one small item per live request; {@linkcode LiveIndex.live} queries it
 * (1,000 items a page) and reads the records by ID with `bulkGet`, so its
 * cost follows the live work.
 *
 * Keeping it true without conditional writes:
 * - {@linkcode LiveIndex.rowFor} writes a record's index item *before* the
 *   record turns live (a crash in between leaves an item whose record is not
 *   live, which readers ignore), and marks the record `indexed` so that
 *   later writes cost nothing extra.
 * - Nobody deletes an item when its record ends. A reader that finds a
 *   record over for {@linkcode INDEX_GRACE_MS} (or an item whose record
 *   never appeared) deletes the item. Deleting at once could lose a live
 *   record: a deny claim and an approve claim race, the deny's writer
 *   deletes the item after the approve's write has won.
 * - Records written before the index existed are found by building it: a
 *   listing that finds no marker item scans `requests` once (1,000 items a
 *   page), indexes the live records, then writes the marker.
 *
 * @module
 */
import { LiveRequestsDatastore } from "../../datastores/live_requests.ts";
import { RequestsDatastore } from "../../datastores/requests.ts";
import { type SlackClient } from "../context.ts";
import {
  deleteMany,
  getMany,
  putItem,
  putMany,
  queryAll,
  type QueryFilter,
} from "./datastore_calls.ts";
import { isLive, lastChange, type RequestRecord } from "./record.ts";
import { RequestRecordSchema, type TypedRecord } from "./typed_record.ts";

/**
 * How long a record must have been over before a reader drops its index
 * item. Far beyond a decision's settle (1.5 s) and claim lease (60 s) and
 * any event's run (60 s): a racing claim or a write from an older copy may
 * make a record live again just after it ended, and then still finds its
 * item there.
 */
export const INDEX_GRACE_MS = 5 * 60_000;
/** Key of the item that says the index was built from the records. */
export const INDEX_MARKER = "~built";
/** The largest query page Slack evaluates. */
const MAX_PAGE = 1000;

/** An item of `live_requests`. */
type IndexEntry = { id: string; requester?: string; since?: string };

/**
 * The `live_requests` index of one event's store (see the module notes):
 * listing the live records through it, and writing a record's item before
 * the record turns live.
 *
 * @example
 * ```ts
 * const index = new LiveIndex(client);
 * await putItem(client, "requests", await index.rowFor(record), "could not save");
 * const mine = await index.live(userId);
 * ```
 */
export class LiveIndex {
  readonly #client: SlackClient;
  /** Requests whose index item this store wrote in this event. */
  readonly #indexed = new Set<string>();

  /** An index read and written with `client`. */
  constructor(client: SlackClient) {
    this.#client = client;
  }

  /**
   * The row to write for `record`. A record turning live gets its index
   * item first (once: the record then says `indexed`); one that is over
   * keeps its item until a reader finds it over for a while.
   */
  async rowFor(record: RequestRecord): Promise<RequestRecord> {
    if (isLive(record)) {
      if (!record.indexed && !this.#indexed.has(record.id)) {
        await this.#add([record]);
      }
      return record.indexed ? record : { ...record, indexed: true };
    }
    // Its item stays until a reader finds the record over for a while.
    this.#indexed.delete(record.id);
    return record.indexed ? { ...record, indexed: false } : record;
  }

  /**
   * Every live record (of one requester), through the index: its items,
   * then the records by ID. Items whose record has been over for a while
   * are deleted; the first listing ever builds the index.
   */
  async live(requester?: string): Promise<TypedRecord[]> {
    const names: Record<string, string> = { "#built_at": "built_at" };
    const values: Record<string, string> = {};
    let filter: QueryFilter | undefined;
    if (requester) {
      names["#requester"] = "requester";
      values[":requester"] = requester;
      // The marker has no requester; keep it in view to know it is there.
      const expression =
        "#requester = :requester OR attribute_exists(#built_at)";
      filter = { expression, names, values };
    }
    const items = await queryAll(
      this.#client,
      LiveRequestsDatastore.name,
      filter,
      MAX_PAGE,
      "could not list live requests",
    );
    const entries = new Map<string, IndexEntry>();
    let built = false;
    for (const item of items) {
      if (item.id === INDEX_MARKER) built = true;
      else if (typeof item.id === "string") {
        entries.set(item.id, item as IndexEntry);
      }
    }
    if (!built) return await this.#build(requester);
    return await this.#recordsOf([...entries.values()]);
  }

  /**
   * The live records of index items, read by ID. Items whose record is over
   * (or was never written, after a crash) are deleted once that has been so
   * for long enough that no racing write can make it live again.
   */
  async #recordsOf(entries: readonly IndexEntry[]): Promise<TypedRecord[]> {
    const found = await getMany(
      this.#client,
      RequestsDatastore.name,
      entries.map((e) => e.id),
      "could not read requests",
    );
    const now = Date.now();
    const out: TypedRecord[] = [];
    const stale: string[] = [];
    for (const entry of entries) {
      const item = found.get(entry.id);
      const parsed = item ? RequestRecordSchema.safeParse(item) : undefined;
      if (parsed?.success && isLive(parsed.data)) {
        out.push(parsed.data);
        continue;
      }
      if (parsed && !parsed.success) {
        console.warn(`request ${entry.id} is not a valid record`);
        continue;
      }
      // Over (or never written, after a crash): dropped once it has been
      // so for long enough that no racing write can make it live again.
      const since = parsed
        ? lastChange(parsed.data)
        : Date.parse(entry.since ?? "");
      if (!(now - since < INDEX_GRACE_MS)) stale.push(entry.id);
    }
    await deleteMany(
      this.#client,
      LiveRequestsDatastore.name,
      stale,
      "could not drop ended requests from the index",
    );
    return out;
  }

  /**
   * Builds the index from the records: one scan of `requests` (1,000 items
   * a page), an item for each live record, then the marker. Concurrent
   * builds write the same items. Returns the live records found.
   */
  async #build(requester?: string): Promise<TypedRecord[]> {
    const items = await queryAll(
      this.#client,
      RequestsDatastore.name,
      undefined,
      MAX_PAGE,
      "could not list requests",
    );
    const byId = new Map<string, TypedRecord>();
    for (const item of items) {
      const parsed = RequestRecordSchema.safeParse(item);
      if (parsed.success && isLive(parsed.data)) {
        byId.set(parsed.data.id, parsed.data);
      }
    }
    const live = [...byId.values()];
    await this.#add(live);
    await putItem(this.#client, LiveRequestsDatastore.name, {
      id: INDEX_MARKER,
      built_at: new Date().toISOString(),
    }, "could not mark the live requests index built");
    console.log(
      `live requests index built: ${live.length} live of ${items.length} requests`,
    );
    return requester ? live.filter((r) => r.requester === requester) : live;
  }

  /** Writes index items for `records` (25 a call); throws if any failed. */
  async #add(records: readonly RequestRecord[]): Promise<void> {
    const since = new Date().toISOString();
    const items: IndexEntry[] = records.map((r) => ({
      id: r.id,
      requester: r.requester,
      since,
    }));
    await putMany(
      this.#client,
      LiveRequestsDatastore.name,
      items,
      "could not index requests",
    );
    for (const r of records) this.#indexed.add(r.id);
  }
}
