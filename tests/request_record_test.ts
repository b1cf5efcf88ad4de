/**
 * The request record: rows written by today's app (and by earlier versions)
 * read into the typed record, a read record writes back exactly its row,
 * the datastore and the schema name the same attributes, and the narrowing
 * helpers say what a record is instead of `!` and `startsWith("group:")`.
 */
import { SlackAPI } from "deno-slack-sdk/mod.ts";
import { RequestsDatastore, TransitionType } from "../datastores/requests.ts";
import {
  DERIVED_FIELDS,
  eventsOf,
  expiresAfter,
  expiryOf,
  groupOf,
  hasScheduled,
  IncompleteRecordError,
  isGroupRecord,
  parseScheduleEntry,
  plannedEndOf,
  recordTarget,
  type RequestRecord,
  RequestRecordSchema,
  RequestRowSchema,
  RequestStore,
  requireDevice,
  requireExpiry,
  requireField,
  requireGroup,
  scheduleEntry,
  scheduleOf,
  targetOf,
  toRow,
  TransitionSchema,
  withEvent,
  withSchedule,
  withScheduled,
} from "../lib/requests/mod.ts";
import { SLACK_CLIENT_TEST_OPTIONS, SlackFake } from "../dev/emulator/slack.ts";
import { assert, assertEquals, assertThrows } from "./assert.ts";

const ALICE = "U0ALICE";
const BOB = "U0BOB";

/** A device grant as an early version wrote it: `review_execution`, no `indexed`. */
const OLD_DEVICE_GRANT = {
  id: "7d1c1f8e-0a3b-4c1e-9f00-000000000001",
  requester: ALICE,
  approver: BOB,
  attribute: "custom:prodAccess",
  device_id: "nALICELAPTOP",
  duration_seconds: 3600,
  reason: "INC-4242",
  state: "granted",
  created_at: "2026-11-20T09:00:00.000Z",
  decided_by: BOB,
  decided_at: "2026-11-20T09:03:00.000Z",
  claim_token: "0b6c0a56-5d0e-4ad4-8a59-1f7c1a2b3c4d",
  expires_at: "2026-11-20T10:03:00.000Z",
  granted_at: "2026-11-20T09:03:00.000Z",
  prompt_channel: "D0BOB",
  prompt_ts: "1763629380.000100",
  notified: true,
  notify_failures: [],
  review_execution: "Fx0REVIEW",
  schedule: ["reminder:Ft0REMIND", "expiry:Ft0EXPIRE"],
  history: [
    {
      event: "requested",
      actor: ALICE,
      at: "2026-11-20T09:00:00.000Z",
      note: `approver ${BOB}`,
    },
    { event: "approved", actor: BOB, at: "2026-11-20T09:03:00.000Z" },
    { event: "granted", actor: "app", at: "2026-11-20T09:03:00.000Z" },
  ],
};

/** A group grant as today's app writes it, with its membership and index flag. */
const GROUP_GRANT = {
  id: "7d1c1f8e-0a3b-4c1e-9f00-000000000002",
  requester: ALICE,
  approver: BOB,
  attribute: "group:prod",
  device_id: "",
  login: "alice@example.com",
  membership: "added",
  duration_seconds: 1800,
  reason: "deploy",
  state: "granted",
  created_at: "2026-11-20T09:00:00.000Z",
  decided_by: BOB,
  decided_at: "2026-11-20T09:01:00.000Z",
  claim_token: "token-2",
  planned_expiry: "2026-11-20T09:31:00.000Z",
  expires_at: "2026-11-20T09:31:00.000Z",
  granted_at: "2026-11-20T09:01:00.000Z",
  prompt_claim: "prompt-token",
  prompt_channel: "D0BOB",
  prompt_ts: "1763629260.000200",
  decision_note: "ok",
  notified: true,
  notify_failures: ["could not tell <#C0OPS>"],
  schedule: ["nudge:Ft0NUDGE", "reminder:Ft0REMIND", "expiry:Ft0EXPIRE"],
  indexed: true,
  history: [{ event: "requested", actor: ALICE, at: "2026-11-20T09:00:00Z" }],
};

/** A pending request just submitted (as `newRecord` makes it), not yet indexed. */
const PENDING = {
  id: "7d1c1f8e-0a3b-4c1e-9f00-000000000003",
  requester: ALICE,
  attribute: "custom:prodAccess",
  device_id: "nALICELAPTOP",
  duration_seconds: 3600,
  approver: BOB,
  reason: "look at logs",
  extends: "7d1c1f8e-0a3b-4c1e-9f00-000000000001",
  device_snapshot: JSON.stringify({
    nodeId: "nALICELAPTOP",
    hostname: "alice-laptop",
    name: "alice-laptop.tail.ts.net",
    user: "alice@example.com",
    os: "macOS",
    addresses: ["100.64.0.1"],
    tags: [],
    connectedToControl: true,
  }),
  state: "pending",
  created_at: "2026-11-20T11:00:00.000Z",
  history: [{ event: "requested", actor: ALICE, at: "2026-11-20T11:00:00Z" }],
};

const ROWS = [OLD_DEVICE_GRANT, GROUP_GRANT, PENDING];

/** The value with every object's keys sorted, to compare rows by content. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).sort(([a], [b]) => a < b ? -1 : 1).map((
        [k, v],
      ) => [k, sorted(v)]),
    );
  }
  return value;
}

function parse(row: unknown) {
  return RequestRecordSchema.parse(structuredClone(row));
}

Deno.test("the requests datastore and the record's schema name the same attributes", () => {
  const stored = Object.keys(RequestsDatastore.definition.attributes).sort();
  assertEquals(Object.keys(RequestRowSchema.shape).sort(), stored);
  for (const field of DERIVED_FIELDS) {
    assert(!stored.includes(field), `${field} would be stored`);
  }
  assertEquals(
    Object.keys(TransitionSchema.shape).sort(),
    Object.keys(TransitionType.definition.properties ?? {}).sort(),
  );
});

Deno.test("rows written by today's app and by earlier versions read, typed", () => {
  const old = parse(OLD_DEVICE_GRANT);
  assertEquals(old.review_execution, "Fx0REVIEW");
  assertEquals(old.indexed, undefined);
  assertEquals(old.target, {
    kind: "device",
    nodeId: "nALICELAPTOP",
    attribute: "custom:prodAccess",
  });
  assertEquals(old.events, [
    { event: "reminder", triggerId: "Ft0REMIND" },
    { event: "expiry", triggerId: "Ft0EXPIRE" },
  ]);
  const group = parse(GROUP_GRANT);
  assertEquals(group.target, {
    kind: "group",
    group: "group:prod",
    login: "alice@example.com",
  });
  assertEquals(group.events.map((e) => e.event), [
    "nudge",
    "reminder",
    "expiry",
  ]);
  const pending = parse(PENDING);
  assertEquals(pending.events, []);
  assertEquals(pending.target.kind, "device");
});

Deno.test("a row without history reads with an empty one; a row of an unknown state does not read", () => {
  const { history: _, ...bare } = PENDING;
  assertEquals(parse(bare).history, []);
  assert(!RequestRecordSchema.safeParse({ ...PENDING, state: "lost" }).success);
});

Deno.test("a read record writes back exactly its row", () => {
  for (const row of ROWS) {
    const written = toRow(parse(row));
    assertEquals(sorted(written), sorted(row), row.id);
    for (const field of DERIVED_FIELDS) assert(!(field in written));
  }
  // A record that never was typed is written as it is.
  const plain = RequestRowSchema.parse(structuredClone(PENDING));
  assert(toRow(plain) === plain);
});

Deno.test(
  "through the store: read typed, written as the same row",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    const slack = await SlackFake.start({
      datastores: { requests: "id", live_requests: "id" },
    });
    try {
      const client = SlackAPI(slack.botToken, { slackApiUrl: slack.apiUrl });
      const rows = slack.datastore("requests");
      const store = new RequestStore(client);
      // Over, or live and already indexed: the store writes nothing else.
      const ended = { ...OLD_DEVICE_GRANT, state: "expired" };
      for (const row of [ended, GROUP_GRANT]) {
        rows.set(row.id, structuredClone(row));
        const record = await store.get(row.id);
        assert(record);
        await store.put(record);
        assertEquals(sorted(rows.get(row.id)), sorted(row), row.id);
      }
      const group = await store.get(GROUP_GRANT.id);
      assertEquals(group?.target.kind, "group");
      assertEquals(slack.datastore("live_requests").size, 0);
    } finally {
      await slack.close();
    }
  },
);

Deno.test("target helpers: a device record and a group record", () => {
  const device = parse(OLD_DEVICE_GRANT);
  const group = parse(GROUP_GRANT);
  assert(!isGroupRecord(device) && isGroupRecord(group));
  assertEquals(groupOf(device), null);
  assertEquals(groupOf(group), "group:prod");
  assertEquals(recordTarget(group), group.target);
  assertEquals(requireGroup(group), {
    kind: "group",
    group: "group:prod",
    login: "alice@example.com",
  });
  assertEquals(requireDevice(device), {
    kind: "device",
    nodeId: "nALICELAPTOP",
    attribute: "custom:prodAccess",
  });
  const notGroup = assertThrows(() => requireGroup(device));
  assert(notGroup instanceof IncompleteRecordError);
  assertEquals(notGroup.field, "attribute");
  assert(assertThrows(() => requireDevice(group)) instanceof Error);
  // A group row without its login (never written by the app) still reads,
  // but is refused where the login is needed.
  const { login: _, ...noLogin } = GROUP_GRANT;
  const damaged = parse(noLogin);
  assertEquals(damaged.target, {
    kind: "group",
    group: "group:prod",
    login: "",
  });
  const missing = assertThrows(() => requireGroup(damaged));
  assert(missing instanceof IncompleteRecordError);
  assertEquals([missing.requestId, missing.field], [GROUP_GRANT.id, "login"]);
  assertEquals(targetOf(damaged), {
    kind: "group",
    group: "group:prod",
    login: "(unknown login)",
  });
});

Deno.test("field helpers: an expiry, and fields a state promises", () => {
  const granted = parse(OLD_DEVICE_GRANT);
  const pending = parse(PENDING);
  assertEquals(expiryOf(granted)?.toISOString(), OLD_DEVICE_GRANT.expires_at);
  assertEquals(
    requireExpiry(granted).getTime(),
    Date.parse("2026-11-20T10:03:00Z"),
  );
  assertEquals(expiryOf(pending), null);
  const none = assertThrows(() => requireExpiry(pending));
  assert(none instanceof IncompleteRecordError);
  assertEquals(none.field, "expires_at");
  assertEquals(none.message, `request ${PENDING.id}: expires_at is missing`);
  assertEquals(expiryOf({ ...pending, expires_at: "soon" }), null);
  const end = Date.parse(OLD_DEVICE_GRANT.expires_at);
  assert(expiresAfter(granted, new Date(end - 1)));
  assert(!expiresAfter(granted, new Date(end)));
  assert(!expiresAfter(pending, new Date(0)));
  assertEquals(plannedEndOf(granted)?.getTime(), end);
  const planned = { ...pending, planned_expiry: "2026-11-20T12:00:00.000Z" };
  assertEquals(plannedEndOf(planned)?.toISOString(), planned.planned_expiry);
  assertEquals(plannedEndOf(pending), null);
  assertEquals(requireField(pending, "extends"), OLD_DEVICE_GRANT.id);
  const noExtends = assertThrows(() => requireField(granted, "extends"));
  assert(noExtends instanceof IncompleteRecordError);
  assertEquals(noExtends.field, "extends");
});

Deno.test("schedule helpers: entries read as typed events and written back", () => {
  assertEquals(parseScheduleEntry("expiry:Ft0123"), {
    event: "expiry",
    triggerId: "Ft0123",
  });
  for (const bad of ["expiry", "expiry:", "later:Ft0123", ""]) {
    assertEquals(parseScheduleEntry(bad), null, bad);
  }
  assertEquals(
    scheduleEntry({ event: "resume", triggerId: "Ft0RESUME" }),
    "resume:Ft0RESUME",
  );
  const record = parse(GROUP_GRANT);
  assertEquals(record.events.map(scheduleEntry), GROUP_GRANT.schedule);
  // An entry of an event this version does not know stays stored.
  const odd = parse({ ...GROUP_GRANT, schedule: ["later:Ft0", "expiry:Ft1"] });
  assertEquals(odd.events, [{ event: "expiry", triggerId: "Ft1" }]);
  assertEquals(toRow(odd).schedule, ["later:Ft0", "expiry:Ft1"]);
  assertEquals(scheduleOf(parse(PENDING)), []);
  assert(hasScheduled(scheduleOf(record), ["nudge", "timeout"]));
  assert(!hasScheduled(scheduleOf(record), ["timeout", "resume"]));
});

Deno.test("withSchedule and withScheduled keep a typed record's events true", () => {
  const record = parse(OLD_DEVICE_GRANT);
  const cut = withSchedule(record, ["expiry:Ft0EXPIRE"]);
  assertEquals(cut.schedule, ["expiry:Ft0EXPIRE"]);
  assertEquals(cut.events, eventsOf(cut));
  const more = withScheduled(cut, ["resume:Ft0RESUME"]);
  assertEquals(more.schedule, ["expiry:Ft0EXPIRE", "resume:Ft0RESUME"]);
  assertEquals(more.events.map((e) => e.event), ["expiry", "resume"]);
  assertEquals(toRow(more).schedule, more.schedule);
  // A row record gets no events it did not have.
  const row: RequestRecord = RequestRowSchema.parse(structuredClone(PENDING));
  assert(!("events" in withScheduled(row, ["timeout:Ft0"])));
  // The pure steps keep the derived fields along.
  const stepped = withEvent(record, "reminded", "app", new Date(0));
  assertEquals(toRow(stepped).history.length, 4);
});
