/**
 * Extension eligibility and the extension form's checks, as pure rules:
 * who may extend which grant, by how much, and the request it becomes.
 */
import { parseConfig } from "../lib/config_schema.ts";
import {
  extensionChoices,
  extensionFormProblems,
  extensionRequest,
  extensionRoom,
  extensionTarget,
  isActiveGrant,
} from "../lib/grants/mod.ts";
import type { RequestRecord } from "../lib/requests/mod.ts";
import { assert, assertEquals } from "./assert.ts";
import { deviceGrant, HOUR } from "./fixtures/records.ts";

const now = new Date("2025-01-01T12:00:00Z");
const at = (hours: number) =>
  new Date(now.getTime() + hours * HOUR * 1000).toISOString();

const config = parseConfig({
  profiles: [{
    description: "Production",
    attribute: "custom:prodAccess",
    maxSeconds: 4 * HOUR,
    maxExtendedSeconds: 8 * HOUR,
  }],
});
const profile = config.profiles[0];

/** A grant to alice, given an hour ago for two hours. */
const grant = (changes: Partial<RequestRecord> = {}) =>
  deviceGrant(now, changes);

Deno.test("a live grant is one granted, not an extension's record, not yet ended", () => {
  assert(isActiveGrant(grant(), now));
  assert(!isActiveGrant(grant({ state: "expired" }), now), "ended");
  assert(!isActiveGrant(grant({ expires_at: at(-0.1) }), now), "past its end");
  assert(
    !isActiveGrant(grant({ extends: "req-0" }), now),
    "an extension's own record",
  );
  assert(!isActiveGrant(grant({ expires_at: undefined }), now), "no end");
});

Deno.test("the room left counts from the first grant, within maxExtendedSeconds", () => {
  // Granted an hour ago, ends in an hour: 8 h in all leaves 6 h.
  assertEquals(extensionRoom(grant(), profile), 6 * HOUR);
  // Without granted_at the request's creation counts.
  assertEquals(
    extensionRoom(
      grant({ granted_at: undefined, created_at: at(-3) }),
      profile,
    ),
    4 * HOUR,
  );
  // Never negative, even past the limit.
  assertEquals(extensionRoom(grant({ expires_at: at(9) }), profile), 0);
});

Deno.test("extension choices stop at one grant's maximum and at the room left", () => {
  const target = {
    grantId: "req-1",
    profile,
    device: "laptop",
    expiresAt: new Date(at(1)),
    room: 6 * HOUR,
  };
  const choices = extensionChoices(target);
  assertEquals(choices.at(-1), 4 * HOUR, "one grant's maximum");
  assertEquals(extensionChoices({ ...target, room: 90 * 60 }).at(-1), 90 * 60);
  assertEquals(extensionChoices({ ...target, room: 59 }), [], "under a minute");
});

Deno.test("only the requester may extend, only a live grant of a profile still offered", () => {
  const ok = extensionTarget(grant(), "U_ALICE", config, now);
  assert(ok.ok);
  assertEquals(ok.target.grantId, "req-1");
  assertEquals(ok.target.room, 6 * HOUR);
  const why = (found: ReturnType<typeof extensionTarget>) =>
    found.ok ? "" : found.why;
  assertEquals(
    why(extensionTarget(grant(), "U_BOB", config, now)),
    "Only the person who has the access can extend it.",
  );
  assertEquals(
    why(extensionTarget(null, "U_ALICE", config, now)),
    "Only the person who has the access can extend it.",
  );
  assertEquals(
    why(extensionTarget(grant({ state: "revoked" }), "U_ALICE", config, now)),
    "That access has already ended, so it cannot be extended. Request access anew.",
  );
  assertEquals(
    why(
      extensionTarget(
        grant({ attribute: "custom:gone" }),
        "U_ALICE",
        config,
        now,
      ),
    ),
    "The access profile `custom:gone` is no longer offered, so it cannot be extended.",
  );
  assertEquals(
    why(
      extensionTarget(
        grant({ granted_at: at(-7), expires_at: at(1) }),
        "U_ALICE",
        config,
        now,
      ),
    ),
    "Production allows at most this much in all, so it cannot be extended further.",
  );
});

Deno.test("the extension form needs an offered length, a reason and an approver", () => {
  const found = extensionTarget(grant(), "U_ALICE", config, now);
  assert(found.ok);
  const checked = extensionFormProblems(found.target, {
    duration: String(HOUR),
    reason: "  still on INC-1 ",
    approver: "U_BOB",
  });
  assertEquals(checked.problems, {});
  assertEquals(checked.ask, {
    seconds: HOUR,
    reason: "still on INC-1",
    approverId: "U_BOB",
  });
  assertEquals(extensionFormProblems(found.target, {}).problems, {
    duration: "Choose one of the offered lengths.",
    reason: "Say why you need more time.",
    approver: "Choose who should approve.",
  });
  assertEquals(
    extensionFormProblems(found.target, {
      duration: String(5 * HOUR),
      reason: "x".repeat(500),
      approver: "U_BOB",
    }).problems,
    {
      duration: "Choose one of the offered lengths.",
      reason: "Keep the reason within 120 characters.",
    },
  );
});

Deno.test("an extension is a request for the same target that points at its grant", () => {
  const ask = { seconds: HOUR, reason: "more", approverId: "U_BOB" };
  assertEquals(extensionRequest("req-2", "U_ALICE", grant(), ask), {
    id: "req-2",
    requester: "U_ALICE",
    attribute: "custom:prodAccess",
    device_id: "node-1",
    duration_seconds: HOUR,
    approver: "U_BOB",
    reason: "more",
    extends: "req-1",
  });
  const group = grant({
    attribute: "group:prod",
    device_id: "",
    login: "alice@example.com",
  });
  assertEquals(
    extensionRequest("req-3", "U_ALICE", group, ask).login,
    "alice@example.com",
  );
});
