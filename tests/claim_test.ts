/**
 * The claim that decides a request once, against an in-memory store: the
 * decider whose token is still stored after the settle wins, anyone whose
 * write was overtaken loses and sees the winner's record.
 */
import {
  CLAIM_LEASE_MS,
  claimDecision,
  claimIsStale,
  claimPrompt,
  type ClaimStore,
  DEFAULT_SETTLE_MS,
  newRecord,
  RecordError,
  type RequestRecord,
  RequestRecordSchema,
  settleMsFrom,
  toRow,
  type TypedRecord,
} from "../lib/requests/mod.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

const ALICE = "U0ALICE";
const BOB = "U0BOB";
const CAROL = "U0CAROL";
const NOW = new Date("2026-11-20T09:00:00.000Z");

/** Rows in memory; `onPut` runs after each write (a competitor's turn). */
class MemoryStore implements ClaimStore {
  readonly rows = new Map<string, RequestRecord>();
  onPut?: (written: RequestRecord) => void;
  get(id: string): Promise<TypedRecord | null> {
    const row = this.rows.get(id);
    return Promise.resolve(
      row ? RequestRecordSchema.parse(structuredClone(row)) : null,
    );
  }
  put(record: RequestRecord): Promise<void> {
    const row = structuredClone(toRow(record));
    this.rows.set(record.id, row);
    this.onPut?.(row);
    return Promise.resolve();
  }
}

function pending(store: MemoryStore): RequestRecord {
  const record = newRecord({
    id: "req-1",
    requester: ALICE,
    attribute: "custom:prodAccess",
    device_id: "nALICELAPTOP",
    duration_seconds: 3600,
    approver: BOB,
    reason: "INC-4242",
  }, NOW);
  store.rows.set(record.id, record);
  return record;
}

Deno.test("settle time: 1.5 s unless CLAIM_SETTLE_MS names a positive whole number", () => {
  assertEquals(settleMsFrom({}), DEFAULT_SETTLE_MS);
  assertEquals(settleMsFrom({ CLAIM_SETTLE_MS: "100" }), 100);
  for (const bad of ["0", "-5", "1.5", "soon", ""]) {
    assertEquals(settleMsFrom({ CLAIM_SETTLE_MS: bad }), DEFAULT_SETTLE_MS);
  }
});

Deno.test("a decision nobody contests wins, and is recorded with its claim", async () => {
  const store = new MemoryStore();
  const record = pending(store);
  const planned = new Date(NOW.getTime() + 3600_000);
  const claim = await claimDecision(store, record, {
    state: "approved",
    actor: BOB,
    now: NOW,
    plannedExpiry: planned,
    note: "ok",
  }, 0);
  assert(claim.won);
  const stored = claim.record;
  assertEquals(stored.state, "approved");
  assertEquals(stored.decided_by, BOB);
  assertEquals(stored.decided_at, NOW.toISOString());
  assertEquals(stored.planned_expiry, planned.toISOString());
  assertEquals(stored.decision_note, "ok");
  assertEquals(stored.ended_by, undefined);
  assert(stored.claim_token);
  assertEquals(stored.history.at(-1), {
    event: "approved",
    actor: BOB,
    at: NOW.toISOString(),
    note: "ok",
  });
  assertEquals(stored.target.kind, "device");
});

Deno.test("a decision overtaken during its settle loses and sees the winner's", async () => {
  const store = new MemoryStore();
  const record = pending(store);
  store.onPut = (written) => {
    store.onPut = undefined;
    // Carol read the record before Bob's claim and writes hers after it.
    store.rows.set(written.id, {
      ...record,
      state: "denied",
      decided_by: CAROL,
      claim_token: "carol",
    });
  };
  const claim = await claimDecision(store, record, {
    state: "approved",
    actor: BOB,
    now: NOW,
  }, 0);
  assert(!claim.won);
  assertEquals(claim.record.state, "denied");
  assertEquals(claim.record.decided_by, CAROL);
});

Deno.test("an expiry or a cancel ends the request: ended_by and ended_at", async () => {
  const store = new MemoryStore();
  const record = pending(store);
  const claim = await claimDecision(store, record, {
    state: "cancelled",
    actor: ALICE,
    now: NOW,
  }, 0);
  assert(claim.won);
  assertEquals(
    [claim.record.ended_by, claim.record.ended_at],
    [ALICE, NOW.toISOString()],
  );
});

Deno.test("a record that disappears during the settle is a RecordError", async () => {
  const store = new MemoryStore();
  const record = pending(store);
  store.onPut = (written) => store.rows.delete(written.id);
  const error = await assertRejects(() =>
    claimDecision(store, record, { state: "denied", actor: BOB, now: NOW }, 0)
  );
  assert(error instanceof RecordError);
  assertEquals(error.message, "request req-1 disappeared");
});

Deno.test("one delivery of the review step asks the approver; a later claim takes over", async () => {
  const store = new MemoryStore();
  const record = pending(store);
  const first = await claimPrompt(store, record, 0);
  assert(first.won);
  store.onPut = (written) => {
    store.onPut = undefined;
    store.rows.set(written.id, { ...written, prompt_claim: "other" });
  };
  const second = await claimPrompt(store, record, 0);
  assert(!second.won);
  assertEquals(second.record.prompt_claim, "other");
});

Deno.test("a claim is stale after its lease, unless handed on until later", () => {
  const decided = new Date("2026-11-20T09:00:00.000Z");
  const record: RequestRecord = {
    ...newRecord({
      id: "req-2",
      requester: ALICE,
      attribute: "custom:prodAccess",
      device_id: "nALICELAPTOP",
      duration_seconds: 60,
      approver: BOB,
      reason: "r",
    }, decided),
    state: "approved",
    decided_at: decided.toISOString(),
  };
  const at = (ms: number) => new Date(decided.getTime() + ms);
  assert(!claimIsStale(record, at(CLAIM_LEASE_MS)));
  assert(claimIsStale(record, at(CLAIM_LEASE_MS + 1)));
  const leased = {
    ...record,
    lease_until: at(5 * CLAIM_LEASE_MS).toISOString(),
  };
  assert(!claimIsStale(leased, at(2 * CLAIM_LEASE_MS)));
  assert(claimIsStale(leased, at(5 * CLAIM_LEASE_MS + 1)));
  // Never decided: any claim on it is long gone.
  const { decided_at: _, ...undecided } = record;
  assert(claimIsStale(undecided, decided));
});
