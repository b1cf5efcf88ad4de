/**
 * The emulator's datastores: apps.datastore.* over in-memory maps, with
 * Slack's limits (25 items per bulk call, 400 KB per item) and its query
 * semantics (a DynamoDB scan: `limit` and 1 MB cap the items evaluated, the
 * filter applies to that page, cursors resume after the last evaluated key).
 *
 * @module
 */
import {
  type Args,
  asString,
  invalidArguments,
  isObject,
  type MethodTable,
  pageLimit,
  type Reply,
  required,
  SlackApiError,
} from "./api.ts";
import { compileExpression } from "./query.ts";

/** The largest `limit` apps.datastore.query accepts. */
const MAX_QUERY_LIMIT = 1000;
/**
 * A query page holds at most 1 MB of evaluated items (DynamoDB's scan page),
 * measured here as the items' JSON.
 */
const QUERY_PAGE_BYTES = 1024 * 1024;

type Item = Record<string, unknown>;

/** A query cursor: the last key evaluated, where it was, deletions then. */
type QueryCursor = { key: string; offset: number; deletes: number };

/** One datastore as a method call names it. */
type Named = { name: string; items: Map<string, Item>; key: string };

/**
 * Every datastore of the app, by name, with the apps.datastore.* methods
 * over them.
 *
 * @example
 * ```ts
 * const stores = new FakeDatastores({ requests: "id" });
 * stores.methods()["apps.datastore.put"]({
 *   datastore: "requests",
 *   item: { id: "r1" },
 * });
 * stores.store("requests").get("r1"); // { id: "r1" }
 * ```
 */
export class FakeDatastores {
  readonly #keys: Record<string, string>;
  readonly #stores = new Map<string, Map<string, Item>>();
  /** Items deleted through the API per datastore, for resuming cursors. */
  readonly #deletes = new Map<string, number>();
  /** Items the datastore method being answered evaluated (query, count). */
  #evaluated: number | undefined;

  /** `keys`: datastore name → primary key attribute name. */
  constructor(keys: Record<string, string>) {
    this.#keys = { ...keys };
    for (const name of Object.keys(this.#keys)) {
      this.#stores.set(name, new Map());
    }
  }

  /** A datastore's live contents, or undefined when it is not configured. */
  store(name: string): Map<string, Item> | undefined {
    return this.#stores.get(name);
  }

  /**
   * How many items the last query or count evaluated, once: reading it
   * clears it, so each recorded call gets its own figure.
   */
  takeEvaluated(): number | undefined {
    const evaluated = this.#evaluated;
    this.#evaluated = undefined;
    return evaluated;
  }

  /** The apps.datastore.* methods. */
  methods(): MethodTable {
    return {
      "apps.datastore.put": (a) => this.#put(a),
      "apps.datastore.update": (a) => this.#update(a),
      "apps.datastore.bulkPut": (a) => this.#bulkPut(a),
      "apps.datastore.get": (a) => this.#get(a),
      "apps.datastore.bulkGet": (a) => this.#bulkGet(a),
      "apps.datastore.delete": (a) => this.#delete(a),
      "apps.datastore.bulkDelete": (a) => this.#bulkDelete(a),
      "apps.datastore.query": (a) => this.#query(a),
      "apps.datastore.count": (a) => this.#count(a),
    };
  }

  #ds(args: Args): Named {
    required(args, "datastore");
    const name = String(args.datastore);
    const items = this.#stores.get(name);
    const key = this.#keys[name];
    if (!items || !key) {
      throw datastoreError(
        "datastore_not_found",
        `datastore "${name}" is not defined in this app (configure it in SlackFakeOptions.datastores)`,
        "/datastore",
      );
    }
    return { name, items, key };
  }

  #put(args: Args): Reply {
    const ds = this.#ds(args);
    required(args, "item");
    const id = keyOf(args.item, ds.key, "/item");
    ds.items.set(id, structuredClone(args.item as Item));
    return { ok: true, datastore: ds.name, item: ds.items.get(id) };
  }

  #update(args: Args): Reply {
    const ds = this.#ds(args);
    required(args, "item");
    const id = keyOf(args.item, ds.key, "/item");
    const merged = {
      ...ds.items.get(id),
      ...structuredClone(args.item as Item),
    };
    ds.items.set(id, merged);
    return { ok: true, datastore: ds.name, item: merged };
  }

  #bulkPut(args: Args): Reply {
    const ds = this.#ds(args);
    const list = bulkList(args, "items");
    const ids = list.map((item, i) => keyOf(item, ds.key, `/items/${i}`));
    const items = list as Item[];
    ids.forEach((id, i) => ds.items.set(id, structuredClone(items[i])));
    return { ok: true, datastore: ds.name, failed_items: [] };
  }

  #get(args: Args): Reply {
    const ds = this.#ds(args);
    required(args, "id");
    // Slack answers ok with an empty item when nothing has that key.
    return {
      ok: true,
      datastore: ds.name,
      item: ds.items.get(String(args.id)) ?? {},
    };
  }

  #bulkGet(args: Args): Reply {
    const ds = this.#ds(args);
    const items = bulkList(args, "ids")
      .map((id) => ds.items.get(String(id)))
      .filter((item) => item !== undefined);
    return { ok: true, datastore: ds.name, items, failed_items: [] };
  }

  #delete(args: Args): Reply {
    const ds = this.#ds(args);
    required(args, "id");
    if (ds.items.delete(String(args.id))) this.#deleted(ds.name, 1);
    return { ok: true, datastore: ds.name };
  }

  #bulkDelete(args: Args): Reply {
    const ds = this.#ds(args);
    for (const id of bulkList(args, "ids")) {
      if (ds.items.delete(String(id))) this.#deleted(ds.name, 1);
    }
    return { ok: true, datastore: ds.name, ids: [] };
  }

  #deleted(name: string, n: number): void {
    this.#deletes.set(name, (this.#deletes.get(name) ?? 0) + n);
  }

  #query(args: Args): Reply {
    const ds = this.#ds(args);
    const matches = filterFor(args);
    const limit = pageLimit(args);
    if (limit > MAX_QUERY_LIMIT) {
      throw invalidArguments([
        `[ERROR] limit must be at most ${MAX_QUERY_LIMIT} (got ${limit})`,
      ]);
    }
    const all = [...ds.items.entries()];
    const cursorText = asString(args.cursor);
    let start = 0;
    if (cursorText) {
      const cursor = decodeScanCursor(cursorText);
      if (!cursor) throw new SlackApiError("invalid_cursor");
      start = this.#resume(ds.name, all, cursor);
    }
    // Slack's query is a DynamoDB scan: `limit` caps the items *evaluated*
    // (read, before the filter), and so does 1 MB of them; the filter then
    // applies to that page alone. A page may hold fewer matches than the
    // limit, or none, and still carry a next cursor: callers follow it.
    let end = start, bytes = 0;
    const items: Item[] = [];
    while (end < all.length && end - start < limit) {
      const item = all[end][1];
      const size = new TextEncoder().encode(JSON.stringify(item)).length;
      if (end > start && bytes + size > QUERY_PAGE_BYTES) break;
      bytes += size;
      end++;
      if (matches(item)) items.push(item);
    }
    this.#evaluated = end - start;
    return {
      ok: true,
      datastore: ds.name,
      items,
      response_metadata: {
        next_cursor: end < all.length
          ? encodeScanCursor({
            key: all[end - 1][0],
            offset: end,
            deletes: this.#deletes.get(ds.name) ?? 0,
          })
          : "",
      },
    };
  }

  /**
   * Where a cursor's page begins: after the last evaluated key, as
   * DynamoDB's LastEvaluatedKey does, so items deleted meanwhile never make
   * a scan skip one. If that key itself was deleted, back off by the
   * deletions since (re-evaluating some items rather than missing one).
   */
  #resume(
    name: string,
    all: [string, unknown][],
    cursor: QueryCursor,
  ): number {
    if (all[cursor.offset - 1]?.[0] === cursor.key) return cursor.offset;
    const at = all.findIndex(([key]) => key === cursor.key);
    if (at >= 0) return at + 1;
    const since = (this.#deletes.get(name) ?? 0) - cursor.deletes;
    return Math.max(
      0,
      Math.min(all.length, cursor.offset - Math.max(1, since)),
    );
  }

  #count(args: Args): Reply {
    const ds = this.#ds(args);
    const matches = filterFor(args);
    // Counts every item matching the filter, as one answer; it evaluates
    // (and is priced by) the whole datastore, like a scan to the end.
    const all = [...ds.items.values()];
    this.#evaluated = all.length;
    return {
      ok: true,
      datastore: ds.name,
      count: all.filter(matches).length,
    };
  }
}

function datastoreError(code: string, message: string, pointer: string) {
  // Slack's datastore methods explain failures in an `errors` array.
  return new SlackApiError("datastore_error", {
    errors: [{ code, message, pointer }],
  });
}

/**
 * A bulk method's `items` or `ids`: an array of at most 25 entries, the
 * most Slack's bulk datastore methods take per call.
 */
function bulkList(args: Args, name: "items" | "ids"): unknown[] {
  required(args, name);
  const list = args[name];
  if (!Array.isArray(list)) {
    throw invalidArguments([`[ERROR] ${name} must be an array`]);
  }
  if (list.length > 25) {
    throw invalidArguments([
      `[ERROR] ${name} must contain at most 25 entries (got ${list.length})`,
    ]);
  }
  return list;
}

function keyOf(item: unknown, key: string, pointer: string): string {
  if (!isObject(item)) {
    throw datastoreError("invalid_item", "item must be an object", pointer);
  }
  // Slack datastores are backed by DynamoDB: an item holds at most 400 KB.
  if (new TextEncoder().encode(JSON.stringify(item)).length > 400_000) {
    throw datastoreError(
      "item_too_large",
      "item is larger than the 400 KB datastore limit",
      pointer,
    );
  }
  const id = asString(item[key]);
  if (!id) {
    throw datastoreError(
      "primary_key_missing",
      `item is missing its primary key "${key}"`,
      `${pointer}/${key}`,
    );
  }
  return id;
}

function filterFor(args: Args): (item: Item) => boolean {
  const expression = asString(args.expression);
  if (!expression) return () => true;
  try {
    return compileExpression(
      expression,
      isObject(args.expression_attributes) ? args.expression_attributes : {},
      isObject(args.expression_values) ? args.expression_values : {},
    );
  } catch (e) {
    throw datastoreError(
      "invalid_expression",
      e instanceof Error ? e.message : String(e),
      "/expression",
    );
  }
}

function encodeScanCursor(cursor: QueryCursor): string {
  const bytes = new TextEncoder().encode(
    `fake-scan:${JSON.stringify(cursor)}`,
  );
  return btoa(String.fromCharCode(...bytes));
}

function decodeScanCursor(text: string): QueryCursor | undefined {
  try {
    const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    const match = /^fake-scan:(.*)$/s.exec(new TextDecoder().decode(bytes));
    const c = match ? JSON.parse(match[1]) : undefined;
    return isObject(c) && typeof c.key === "string" &&
        Number.isInteger(c.offset) && Number.isInteger(c.deletes)
      ? { key: c.key, offset: c.offset as number, deletes: c.deletes as number }
      : undefined;
  } catch {
    return undefined;
  }
}
