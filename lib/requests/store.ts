/**
 * Request records: the state machine every decision goes through, and the
 * claim that makes a decision happen once.
 *
 * Slack datastores have no conditional write, so "exactly one decision" uses
 * claim-and-settle: a decider writes its claim (a random token), waits until
 * any competitor that read the record before that write has written too, then
 * reads the record back. Only the decider whose token is still there goes on;
 * everyone else is shown the decision that won.
 *
 * Live requests are listed through a small index (`live_requests`), never by
 * scanning every record ever written: see {@linkcode RequestStore}.
 *
 * @module
 */
import { z } from "zod";
import { LiveRequestsDatastore } from "../../datastores/live_requests.ts";
import { RequestsDatastore } from "../../datastores/requests.ts";
import type { AccessRequest } from "./access_request.ts";
import { parseJson } from "../slack/mod.ts";
import { type Device, DeviceSchema } from "../tailscale/mod.ts";
import type { Target } from "../grants/mod.ts";
import { type SlackClient } from "../context.ts";

/**
 * Where a request is in its life: pending → approved → granted → revoked |
 * expired; pending → denied | cancelled | expired (nobody decided in time);
 * failed wherever something could not be done.
 */
export const REQUEST_STATES = [
  "pending",
  "approved",
  "granted",
  "failed",
  "denied",
  "cancelled",
  "expired",
  "revoked",
] as const;
/** Where a request is in its life. */
export type RequestState = typeof REQUEST_STATES[number];

/** Where a group grant's membership is (see `membership` on the record). */
export const MEMBERSHIP_STATES = [
  "adding",
  "added",
  "present",
  "removed",
] as const;
/** One of {@linkcode MEMBERSHIP_STATES}. */
export type MembershipState = typeof MEMBERSHIP_STATES[number];

const TransitionSchema = z.object({
  event: z.string(),
  actor: z.string(),
  at: z.string(),
  note: z.string().optional(),
});
/** One recorded step. */
export type Transition = z.output<typeof TransitionSchema>;

/** A request record as stored. */
export const RequestRecordSchema = z.object({
  id: z.string().min(1),
  requester: z.string(),
  approver: z.string(),
  attribute: z.string(),
  device_id: z.string(),
  /** For a group profile: the Tailscale login added to the group. */
  login: z.string().optional(),
  /**
   * For a group profile, the membership's state: `adding` (the write may
   * have happened), `added` (by this app, so it removes it), `present`
   * (a member before the grant: never removed), `removed`.
   */
  membership: z.enum(MEMBERSHIP_STATES).optional(),
  duration_seconds: z.number().int().positive(),
  reason: z.string(),
  state: z.enum(REQUEST_STATES),
  created_at: z.string(),
  decided_by: z.string().optional(),
  decided_at: z.string().optional(),
  claim_token: z.string().optional(),
  planned_expiry: z.string().optional(),
  expires_at: z.string().optional(),
  error: z.string().optional(),
  prompt_channel: z.string().optional(),
  prompt_ts: z.string().optional(),
  notified: z.boolean().optional(),
  notify_failures: z.array(z.string()).optional(),
  device_snapshot: z.string().optional(),
  /** For an extension: the grant it extends. */
  extends: z.string().optional(),
  /** The approver's note on an approval, or their reason for a denial. */
  decision_note: z.string().optional(),
  /** When the access was first granted (extensions keep it). */
  granted_at: z.string().optional(),
  /** Who ended it (revoked, cancelled), when, and why. */
  ended_by: z.string().optional(),
  ended_at: z.string().optional(),
  end_reason: z.string().optional(),
  /** Rows written before decisions had their own workflow: unused now. */
  review_execution: z.string().optional(),
  /** The claim of the one delivery of the review step that asks the approver. */
  prompt_claim: z.string().optional(),
  /** A decision handed on past Slack's time limit is its resumer's until then. */
  lease_until: z.string().optional(),
  /** Scheduled triggers for this record, as "event:trigger_id". */
  schedule: z.array(z.string()).optional(),
  history: z.array(TransitionSchema).default([]),
  /**
   * Whether the request's item in `live_requests` was written (set by
   * `RequestStore.put` while the record is live, cleared when it is not).
   */
  indexed: z.boolean().optional(),
});
/** A request record. */
export type RequestRecord = z.output<typeof RequestRecordSchema>;

/** How long after a claim competitors may still be writing theirs. */
export const DEFAULT_SETTLE_MS = 1_500;

/**
 * The claim's settle time for this app: {@linkcode DEFAULT_SETTLE_MS}, unless
 * `CLAIM_SETTLE_MS` says otherwise. Only the test suite sets it, to a short
 * wait for flows where nobody races; the race tests and production keep the
 * real one.
 *
 * @example
 * ```ts
 * settleMsFrom({}); // 1500
 * settleMsFrom({ CLAIM_SETTLE_MS: "100" }); // 100
 * ```
 */
export function settleMsFrom(env: Record<string, string | undefined>): number {
  const ms = Number(env.CLAIM_SETTLE_MS);
  return Number.isInteger(ms) && ms > 0 ? ms : DEFAULT_SETTLE_MS;
}
/** A claim older than this whose decider never finished was cut off. */
export const CLAIM_LEASE_MS = 60_000;

/** A datastore read or write failed; nothing was decided. */
export class RecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RecordError";
  }
}

/**
 * The new record for a submitted request; `device` is the device as the
 * submission saw it, kept to describe it until the decision re-reads it.
 */
export function newRecord(
  request: AccessRequest,
  now: Date,
  device?: Device,
): RequestRecord {
  return {
    ...request,
    ...(device ? { device_snapshot: JSON.stringify(device) } : {}),
    state: "pending",
    created_at: now.toISOString(),
    history: [{
      event: "requested",
      actor: request.requester,
      at: now.toISOString(),
      note: `approver ${request.approver}`,
    }],
  };
}

/**
 * The device as the submission saw it (kept to describe it until the
 * decision reads it again), or null when the record has none.
 */
export function snapshotOf(record: RequestRecord): Device | null {
  const parsed = DeviceSchema.safeParse(parseJson(record.device_snapshot));
  return parsed.success && parsed.data.nodeId === record.device_id
    ? parsed.data
    : null;
}

/**
 * The device to describe the request with: as the submission saw it, or
 * just its node ID when the record has no snapshot. Never asks Tailscale.
 */
export function describedDevice(record: RequestRecord): Device {
  return snapshotOf(record) ?? {
    nodeId: record.device_id,
    hostname: record.device_id,
    name: "",
    user: "",
    os: "",
    addresses: [],
    tags: [],
    connectedToControl: false,
    isExternal: false,
  };
}

/** The group a record grants membership in, or null for a device grant. */
export function groupOf(record: RequestRecord): string | null {
  // A record's key is its profile's attribute ("custom:…") or group.
  return record.attribute.startsWith("group:") ? record.attribute : null;
}

/** What the record grants on, for messages; never asks Tailscale. */
export function targetOf(record: RequestRecord): Target {
  const group = groupOf(record);
  return group
    ? { kind: "group", group, login: record.login ?? "(unknown login)" }
    : { kind: "device", device: describedDevice(record) };
}

/** Marks everyone told, with what could not be delivered (pure). */
export function withNotified(
  record: RequestRecord,
  failures: string[],
  now: Date,
): RequestRecord {
  return withEvent(
    { ...record, notified: true, notify_failures: failures },
    "notified",
    "app",
    now,
    failures.length ? failures.join("; ") : undefined,
  );
}

/** Appends a transition (pure). */
export function withEvent(
  record: RequestRecord,
  event: string,
  actor: string,
  now: Date,
  note?: string,
): RequestRecord {
  return {
    ...record,
    history: [...record.history, {
      event,
      actor,
      at: now.toISOString(),
      ...(note ? { note } : {}),
    }],
  };
}

/** States in which the app still acts on a request. */
export const LIVE_STATES: readonly RequestState[] = [
  "pending",
  "approved",
  "granted",
];
/** Memberships the app may still have to remove (`OWNED_MEMBERSHIPS`). */
const LIVE_MEMBERSHIPS: readonly MembershipState[] = ["adding", "added"];

/**
 * Whether the app still acts on a request, and so keeps it in the
 * `live_requests` index: pending, approved or granted, or holding a group
 * membership the app added (or may have). An extension's own record, once
 * granted, is history: the grant it extended carries the new end.
 */
export function isLive(record: RequestRecord): boolean {
  if (LIVE_MEMBERSHIPS.includes(record.membership ?? "removed")) return true;
  if (record.state === "granted" && record.extends) return false;
  return LIVE_STATES.includes(record.state);
}

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
/** Slack's bulk methods take at most 25 ids or items. */
const BULK = 25;
/** Bulk calls in flight at once (bulk methods are Tier 3). */
const BULK_CONCURRENCY = 8;
/** The largest query page Slack evaluates. */
const MAX_PAGE = 1000;

/** An item of `live_requests`. */
type IndexEntry = { id: string; requester?: string; since?: string };

/**
 * Reads and writes records in the `requests` datastore, and keeps the
 * `live_requests` index of the live ones (see {@linkcode isLive}).
 *
 * Slack's `apps.datastore.query` is a scan: every page reads up to 1,000
 * stored items (or 1 MB) and filters afterwards, so listing live requests by
 * querying `requests` would cost every request ever recorded. The index holds
 * one small item per live request; {@linkcode list} and
 * {@linkcode listMemberships} query it (1,000 items a page) and read the
 * records by ID with `bulkGet`, so their cost follows the live work.
 *
 * Keeping it true without conditional writes:
 * - {@linkcode put} writes a record's index item *before* the record turns
 *   live (a crash in between leaves an item whose record is not live, which
 *   readers ignore), and marks the record `indexed` so that later writes
 *   cost nothing extra.
 * - Nobody deletes an item when its record ends. A reader that finds a
 *   record over for {@linkcode INDEX_GRACE_MS} (or an item whose record
 *   never appeared) deletes the item. Deleting at once could lose a live
 *   record: a deny claim and an approve claim race, the deny's writer
 *   deletes the item after the approve's write has won.
 * - Records written before the index existed are found by building it: a
 *   listing that finds no marker item scans `requests` once (1,000 items a
 *   page), indexes the live records, then writes the marker.
 *
 * `REQUEST_INDEX=off` in the app's environment lists by scanning `requests`
 * as the app did before (kept for the benchmark's baseline); writes keep the
 * index either way, so turning it back on needs nothing.
 */
export class RequestStore {
  readonly #client: SlackClient;
  readonly #useIndex: boolean;
  /** Requests whose index item this store wrote in this event. */
  readonly #indexed = new Set<string>();
  constructor(client: SlackClient, env: Record<string, string> = {}) {
    this.#client = client;
    this.#useIndex = env.REQUEST_INDEX !== "off";
  }

  /** The record, or null when there is none (or it is not a record). */
  async get(id: string): Promise<RequestRecord | null> {
    let res;
    try {
      res = await this.#client.apps.datastore.get({
        datastore: RequestsDatastore.name,
        id,
      });
    } catch (e) {
      throw new RecordError(`could not read request ${id}: ${messageOf(e)}`);
    }
    if (!res.ok) {
      throw new RecordError(`could not read request ${id}: ${res.error}`);
    }
    if (!res.item || Object.keys(res.item).length === 0) return null;
    const parsed = RequestRecordSchema.safeParse(res.item);
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
  ): Promise<RequestRecord[]> {
    if (this.#useIndex && states.every((s) => LIVE_STATES.includes(s))) {
      return (await this.#live(requester)).filter((r) =>
        states.includes(r.state)
      );
    }
    return await this.#scan("state", states, requester);
  }

  /** Group grants whose membership is in any of `memberships`. */
  async listMemberships(
    memberships: readonly MembershipState[],
  ): Promise<RequestRecord[]> {
    if (
      this.#useIndex && memberships.every((m) => LIVE_MEMBERSHIPS.includes(m))
    ) {
      return (await this.#live()).filter((r) =>
        r.membership !== undefined && memberships.includes(r.membership)
      );
    }
    return await this.#scan("membership", memberships);
  }

  /**
   * Every live record (of one requester), through the index: its items,
   * then the records by ID. Items whose record has been over for a while
   * are deleted; the first listing ever builds the index.
   */
  async #live(requester?: string): Promise<RequestRecord[]> {
    const names: Record<string, string> = { "#built_at": "built_at" };
    const values: Record<string, string> = {};
    let expression: string | undefined;
    if (requester) {
      names["#requester"] = "requester";
      values[":requester"] = requester;
      // The marker has no requester; keep it in view to know it is there.
      expression = "#requester = :requester OR attribute_exists(#built_at)";
    }
    const items = await this.#queryAll(
      LiveRequestsDatastore.name,
      expression ? { expression, names, values } : undefined,
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
    if (!built) return await this.#buildIndex(requester);
    const found = await this.#getMany([...entries.keys()]);
    const now = Date.now();
    const out: RequestRecord[] = [];
    const stale: string[] = [];
    for (const entry of entries.values()) {
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
    await this.#unindex(stale);
    return out;
  }

  /**
   * Builds the index from the records: one scan of `requests` (1,000 items
   * a page), an item for each live record, then the marker. Concurrent
   * builds write the same items. Returns the live records found.
   */
  async #buildIndex(requester?: string): Promise<RequestRecord[]> {
    const items = await this.#queryAll(
      RequestsDatastore.name,
      undefined,
      MAX_PAGE,
      "could not list requests",
    );
    const byId = new Map<string, RequestRecord>();
    for (const item of items) {
      const parsed = RequestRecordSchema.safeParse(item);
      if (parsed.success && isLive(parsed.data)) {
        byId.set(parsed.data.id, parsed.data);
      }
    }
    const live = [...byId.values()];
    await this.#index(live);
    await this.#write(LiveRequestsDatastore.name, {
      id: INDEX_MARKER,
      built_at: new Date().toISOString(),
    }, "could not mark the live requests index built");
    console.log(
      `live requests index built: ${live.length} live of ${items.length} requests`,
    );
    return requester ? live.filter((r) => r.requester === requester) : live;
  }

  /** Writes index items for `records` (25 a call); throws if any failed. */
  async #index(records: readonly RequestRecord[]): Promise<void> {
    const since = new Date().toISOString();
    await inBatches(records, async (batch) => {
      let items: IndexEntry[] = batch.map((r) => ({
        id: r.id,
        requester: r.requester,
        since,
      }));
      // Slack answers a partly failed bulk call with the failed items;
      // its advice is to send those again.
      for (let attempt = 0; items.length; attempt++) {
        let res;
        try {
          res = await this.#client.apps.datastore.bulkPut({
            datastore: LiveRequestsDatastore.name,
            items,
          });
        } catch (e) {
          throw new RecordError(`could not index requests: ${messageOf(e)}`);
        }
        const failed = new Set(failedIds(res));
        if (!res.ok && !(res.error === "partial_failure" && failed.size)) {
          throw new RecordError(`could not index requests: ${res.error}`);
        }
        items = items.filter((i) => failed.has(i.id));
        if (items.length && attempt >= 1) {
          throw new RecordError(
            `could not index requests ${items.map((i) => i.id).join(", ")}`,
          );
        }
      }
    });
    for (const r of records) this.#indexed.add(r.id);
  }

  /** Deletes index items (25 a call); a failure is only logged. */
  async #unindex(ids: readonly string[]): Promise<void> {
    await inBatches(ids, async (batch) => {
      try {
        const res = await this.#client.apps.datastore.bulkDelete({
          datastore: LiveRequestsDatastore.name,
          ids: batch,
        });
        if (!res.ok) throw new Error(res.error);
      } catch (e) {
        console.warn(
          `could not drop ended requests from the index: ${messageOf(e)}`,
        );
      }
    });
  }

  /** Records by ID (25 a call, some calls at once); missing ones are absent. */
  async #getMany(
    ids: readonly string[],
  ): Promise<Map<string, Record<string, unknown>>> {
    const out = new Map<string, Record<string, unknown>>();
    await inBatches(ids, async (batch) => {
      let want = batch;
      for (let attempt = 0; want.length; attempt++) {
        let res;
        try {
          res = await this.#client.apps.datastore.bulkGet({
            datastore: RequestsDatastore.name,
            ids: want,
          });
        } catch (e) {
          throw new RecordError(`could not read requests: ${messageOf(e)}`);
        }
        const failed = new Set(failedIds(res));
        if (!res.ok && !(res.error === "partial_failure" && failed.size)) {
          throw new RecordError(`could not read requests: ${res.error}`);
        }
        for (const item of (res.items ?? []) as Record<string, unknown>[]) {
          if (typeof item.id === "string") out.set(item.id, item);
        }
        want = want.filter((id) => failed.has(id));
        if (want.length && attempt >= 1) {
          throw new RecordError(`could not read requests ${want.join(", ")}`);
        }
      }
    });
    return out;
  }

  /** Every item of a query, following every cursor. */
  async #queryAll(
    datastore: string,
    filter:
      | {
        expression: string;
        names: Record<string, string>;
        values: Record<string, string>;
      }
      | undefined,
    limit: number,
    what: string,
  ): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    do {
      let res;
      try {
        res = await this.#client.apps.datastore.query({
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
        throw new RecordError(`${what}: ${messageOf(e)}`);
      }
      if (!res.ok) throw new RecordError(`${what}: ${res.error}`);
      out.push(...(res.items ?? []) as Record<string, unknown>[]);
      cursor = res.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return out;
  }

  /** One item written whole; throws a {@linkcode RecordError} naming `what`. */
  async #write(
    datastore: string,
    item: Record<string, unknown>,
    what: string,
  ): Promise<void> {
    let res;
    try {
      res = await this.#client.apps.datastore.put({ datastore, item });
    } catch (e) {
      throw new RecordError(`${what}: ${messageOf(e)}`);
    }
    if (!res.ok) throw new RecordError(`${what}: ${res.error}`);
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
  ): Promise<RequestRecord[]> {
    const names: Record<string, string> = { "#field": field };
    const values: Record<string, string> = {};
    among.forEach((s, i) => values[`:v${i}`] = s);
    let expression = `#field IN (${Object.keys(values).join(", ")})`;
    if (requester) {
      names["#requester"] = "requester";
      values[":requester"] = requester;
      expression = `#requester = :requester AND ${expression}`;
    }
    const out: RequestRecord[] = [];
    let cursor: string | undefined;
    do {
      let res;
      try {
        res = await this.#client.apps.datastore.query({
          datastore: RequestsDatastore.name,
          expression,
          expression_attributes: names,
          expression_values: values,
          limit: 100,
          ...(cursor ? { cursor } : {}),
        });
      } catch (e) {
        throw new RecordError(`could not list requests: ${messageOf(e)}`);
      }
      if (!res.ok) {
        throw new RecordError(`could not list requests: ${res.error}`);
      }
      for (const item of res.items ?? []) {
        const parsed = RequestRecordSchema.safeParse(item);
        if (parsed.success) out.push(parsed.data);
        else console.warn(`request ${String(item.id)} is not a valid record`);
      }
      cursor = res.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return out;
  }

  /**
   * Writes the whole record. A record turning live gets its index item
   * first (once: the record then says `indexed`); see the class notes.
   */
  async put(record: RequestRecord): Promise<void> {
    let item = record;
    if (isLive(record)) {
      if (!record.indexed && !this.#indexed.has(record.id)) {
        await this.#index([record]);
      }
      if (!record.indexed) item = { ...record, indexed: true };
    } else {
      // Its item stays until a reader finds the record over for a while.
      if (record.indexed) item = { ...record, indexed: false };
      this.#indexed.delete(record.id);
    }
    let res;
    try {
      res = await this.#client.apps.datastore.put({
        datastore: RequestsDatastore.name,
        item,
      });
    } catch (e) {
      throw new RecordError(
        `could not save request ${record.id}: ${messageOf(e)}`,
      );
    }
    if (!res.ok) {
      throw new RecordError(
        `could not save request ${record.id}: ${res.error}`,
      );
    }
  }
}

/** The outcome of trying to decide a pending request. */
export type Claim =
  | { won: true; record: RequestRecord }
  | { won: false; record: RequestRecord };

/**
 * Decides a pending request at most once. Writes the decision with a fresh
 * token, waits `settleMs`, and reads back: the decision stands only if the
 * token is still the stored one.
 */
export async function claimDecision(
  store: RequestStore,
  record: RequestRecord,
  decision: {
    /** Expired and cancelled end a pending request without a decider. */
    state: "approved" | "denied" | "expired" | "cancelled";
    actor: string;
    now: Date;
    plannedExpiry?: Date;
    /** The approver's note (approved) or reason (denied). */
    note?: string;
  },
  settleMs = DEFAULT_SETTLE_MS,
): Promise<Claim> {
  const token = crypto.randomUUID();
  const claimed = withEvent(
    {
      ...record,
      state: decision.state,
      decided_by: decision.actor,
      decided_at: decision.now.toISOString(),
      claim_token: token,
      ...(decision.plannedExpiry
        ? { planned_expiry: decision.plannedExpiry.toISOString() }
        : {}),
      ...(decision.note ? { decision_note: decision.note } : {}),
      ...(decision.state === "expired" || decision.state === "cancelled"
        ? { ended_by: decision.actor, ended_at: decision.now.toISOString() }
        : {}),
    },
    decision.state,
    decision.actor,
    decision.now,
    decision.note,
  );
  await store.put(claimed);
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const stored = await store.get(record.id);
  if (!stored) throw new RecordError(`request ${record.id} disappeared`);
  return stored.claim_token === token
    ? { won: true, record: stored }
    : { won: false, record: stored };
}

/**
 * Whether a claim was made so long ago that its decider must have died (a
 * decision handed on to a later event is leased until `lease_until`).
 */
export function claimIsStale(record: RequestRecord, now: Date): boolean {
  const at = record.decided_at ? Date.parse(record.decided_at) : 0;
  const lease = record.lease_until ? Date.parse(record.lease_until) : 0;
  return now.getTime() - at > CLAIM_LEASE_MS && now.getTime() > lease;
}

/**
 * Makes sure only one delivery of a pending request's review step asks the
 * approver (Slack may deliver a step more than once, even at once): writes
 * a fresh token, waits `settleMs`, reads back. The winner gets the record as
 * stored; the others learn that another delivery is asking.
 */
export async function claimPrompt(
  store: RequestStore,
  record: RequestRecord,
  settleMs = DEFAULT_SETTLE_MS,
): Promise<Claim> {
  const token = crypto.randomUUID();
  await store.put({ ...record, prompt_claim: token });
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const stored = await store.get(record.id);
  if (!stored) throw new RecordError(`request ${record.id} disappeared`);
  return { won: stored.prompt_claim === token, record: stored };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** When a record last changed, in epoch ms (its latest recorded time). */
function lastChange(record: RequestRecord): number {
  const times = [
    record.created_at,
    record.decided_at,
    record.ended_at,
    ...record.history.map((h) => h.at),
  ].map((t) => Date.parse(t ?? "")).filter(Number.isFinite);
  return times.length ? Math.max(...times) : NaN;
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
