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
 * @module
 */
import type { SlackAPI } from "deno-slack-sdk/mod.ts";
import { z } from "zod";
import { RequestsDatastore } from "../datastores/requests.ts";
import type { AccessRequest } from "./access_request.ts";
import { parseJson } from "./payloads.ts";
import type { Device } from "./tailscale/mod.ts";
import { DeviceSchema } from "./tailscale/schemas.ts";
import type { Target } from "./target.ts";

type SlackClient = ReturnType<typeof SlackAPI>;

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
  /** The review step waiting on this request, to complete it on timeout or cancel. */
  review_execution: z.string().optional(),
  /** Scheduled triggers for this record, as "event:trigger_id". */
  schedule: z.array(z.string()).optional(),
  history: z.array(TransitionSchema).default([]),
});
/** A request record. */
export type RequestRecord = z.output<typeof RequestRecordSchema>;

/** How long after a claim competitors may still be writing theirs. */
export const DEFAULT_SETTLE_MS = 1_500;
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

/** Reads and writes records in the `requests` datastore. */
export class RequestStore {
  readonly #client: SlackClient;
  constructor(client: SlackClient) {
    this.#client = client;
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
   * Records in any of `states`, optionally of one requester, following
   * every page (a page may hold fewer items than its limit). Records that
   * do not parse are skipped and logged.
   */
  list(
    states: readonly RequestState[],
    requester?: string,
  ): Promise<RequestRecord[]> {
    return this.#query("state", states, requester);
  }

  /** Group grants whose membership is in any of `memberships`. */
  listMemberships(
    memberships: readonly MembershipState[],
  ): Promise<RequestRecord[]> {
    return this.#query("membership", memberships);
  }

  async #query(
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

  /** Writes the whole record. */
  async put(record: RequestRecord): Promise<void> {
    let res;
    try {
      res = await this.#client.apps.datastore.put({
        datastore: RequestsDatastore.name,
        item: record,
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

/** Whether a claim was made so long ago that its decider must have died. */
export function claimIsStale(record: RequestRecord, now: Date): boolean {
  const at = record.decided_at ? Date.parse(record.decided_at) : 0;
  return now.getTime() - at > CLAIM_LEASE_MS;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
