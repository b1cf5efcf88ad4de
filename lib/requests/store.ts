/**
 * The request store: reads and writes records in the `requests` datastore.
 * Every row read is checked and typed once, here ({@linkcode TypedRecord});
 * every record written is stored as exactly its row ({@linkcode toRow}).
 *
 * Live requests are listed through a small index (`live_requests`), never by
 * scanning every record ever written: see `live_index.ts`.
 *
 * @module
 */
import { RequestsDatastore } from "../../datastores/requests.ts";
import { type SlackClient } from "../context.ts";
import {
  getItem,
  putItem,
  queryAll,
  RecordError,
  type StoredItem,
} from "./datastore_calls.ts";
import { LiveIndex } from "./live_index.ts";
import {
  LIVE_MEMBERSHIPS,
  LIVE_STATES,
  type MembershipState,
  type RequestRecord,
  type RequestState,
} from "./record.ts";
import {
  RequestRecordSchema,
  toRow,
  type TypedRecord,
} from "./typed_record.ts";

/**
 * Reads and writes records in the `requests` datastore, and keeps the
 * `live_requests` index of the live ones (see {@linkcode isLive} and
 * {@linkcode LiveIndex}): {@linkcode list} and {@linkcode listMemberships}
 * of live states read the index and then the records by ID, so their cost
 * follows the live work; {@linkcode put} writes a record's index item
 * before the record turns live.
 *
 * `REQUEST_INDEX=off` in the app's environment lists by scanning `requests`
 * as the app did before (kept for the benchmark's baseline); writes keep the
 * index either way, so turning it back on needs nothing.
 *
 * @example
 * ```ts
 * const store = new RequestStore(client, env);
 * const record = await store.get(requestId);
 * if (record?.target.kind === "group") console.log(record.target.login);
 * const mine = await store.list(["pending", "granted"], userId);
 * ```
 */
export class RequestStore {
  readonly #client: SlackClient;
  readonly #useIndex: boolean;
  readonly #index: LiveIndex;
  /** A store for one event, reading and writing with `client`. */
  constructor(client: SlackClient, env: Record<string, string> = {}) {
    this.#client = client;
    this.#useIndex = env.REQUEST_INDEX !== "off";
    this.#index = new LiveIndex(client);
  }

  /** The record, or null when there is none (or it is not a record). */
  async get(id: string): Promise<TypedRecord | null> {
    const item = await getItem(
      this.#client,
      RequestsDatastore.name,
      id,
      `could not read request ${id}`,
    );
    if (!item) return null;
    const parsed = RequestRecordSchema.safeParse(item);
    if (!parsed.success) {
      throw new RecordError(`request ${id} is not a valid record`);
    }
    return parsed.data;
  }

  /**
   * Records in any of `states`, optionally of one requester. Live states
   * ({@linkcode LIVE_STATES}) are read through the index, so a granted
   * extension's own record (history, see {@linkcode isLive}) is not among
   * them; any other state scans `requests`. Records that do not parse are
   * skipped and logged.
   */
  async list(
    states: readonly RequestState[],
    requester?: string,
  ): Promise<TypedRecord[]> {
    if (this.#useIndex && states.every((s) => LIVE_STATES.includes(s))) {
      return (await this.#index.live(requester)).filter((r) =>
        states.includes(r.state)
      );
    }
    return await this.#scan("state", states, requester);
  }

  /** Group grants whose membership is in any of `memberships`. */
  async listMemberships(
    memberships: readonly MembershipState[],
  ): Promise<TypedRecord[]> {
    if (
      this.#useIndex && memberships.every((m) => LIVE_MEMBERSHIPS.includes(m))
    ) {
      return (await this.#index.live()).filter((r) =>
        r.membership !== undefined && memberships.includes(r.membership)
      );
    }
    return await this.#scan("membership", memberships);
  }

  /**
   * Records by scanning `requests` with a filter, 100 items a page, as the
   * app listed before the index (and still does with `REQUEST_INDEX=off`,
   * or for states that are not live).
   */
  async #scan(
    field: "state" | "membership",
    among: readonly string[],
    requester?: string,
  ): Promise<TypedRecord[]> {
    const names: Record<string, string> = { "#field": field };
    const values: Record<string, string> = {};
    among.forEach((s, i) => values[`:v${i}`] = s);
    let expression = `#field IN (${Object.keys(values).join(", ")})`;
    if (requester) {
      names["#requester"] = "requester";
      values[":requester"] = requester;
      expression = `#requester = :requester AND ${expression}`;
    }
    const items = await queryAll(
      this.#client,
      RequestsDatastore.name,
      { expression, names, values },
      100,
      "could not list requests",
    );
    const out: TypedRecord[] = [];
    for (const item of items) {
      const parsed = RequestRecordSchema.safeParse(item);
      if (parsed.success) out.push(parsed.data);
      else console.warn(`request ${String(item.id)} is not a valid record`);
    }
    return out;
  }

  /**
   * Writes the whole record, as its row. A record turning live gets its
   * index item first (once: the record then says `indexed`); see
   * {@linkcode LiveIndex}.
   */
  async put(record: RequestRecord): Promise<void> {
    const row: StoredItem = toRow(await this.#index.rowFor(record));
    await putItem(
      this.#client,
      RequestsDatastore.name,
      row,
      `could not save request ${record.id}`,
    );
  }
}

// The names this file exported before it was split, for modules that
// import it directly rather than through `mod.ts`.
export {
  type Claim,
  CLAIM_LEASE_MS,
  claimDecision,
  claimIsStale,
  claimPrompt,
  DEFAULT_SETTLE_MS,
  settleMsFrom,
} from "./claim.ts";
export { RecordError } from "./datastore_calls.ts";
export { INDEX_GRACE_MS, INDEX_MARKER } from "./live_index.ts";
export {
  isLive,
  LIVE_STATES,
  MEMBERSHIP_STATES,
  type MembershipState,
  newRecord,
  REQUEST_STATES,
  type RequestRecord,
  type RequestState,
  type Transition,
  withEvent,
  withNotified,
} from "./record.ts";
export {
  describedDevice,
  groupOf,
  snapshotOf,
  targetOf,
} from "./record_target.ts";
export { RequestRecordSchema } from "./typed_record.ts";
