/**
 * What a request's record stands for, without Slack or Tailscale: the
 * outcome of each end state, the step result it makes, the approver's
 * prompt, and the summary messages show.
 */
import { outcomeOf, promptOf, resultOf, summaryOf } from "../lib/review/mod.ts";
import { parseConfig } from "../lib/config_schema.ts";
import { assertEquals } from "./assert.ts";
import { pendingGroupRequest } from "./fixtures/records.ts";

const created = new Date("2030-01-01T10:00:00Z");
const until = "2030-01-01T12:00:00.000Z";

/** A pending request from U1, to be decided by U2. */
const pending = pendingGroupRequest(created);

const [profile] = parseConfig({
  profiles: [{ description: "Production", group: "group:prod" }],
}).profiles;

Deno.test("a granted record stands for its grant, with its end", () => {
  const outcome = outcomeOf({
    ...pending,
    state: "granted",
    expires_at: until,
  });
  assertEquals(outcome, {
    kind: "granted",
    expiresAt: new Date(until),
    selfApproved: false,
  });
  assertEquals(resultOf(outcome), {
    outputs: {
      outcome: "granted",
      expires_at: Date.parse(until) / 1000,
    },
  });
});

Deno.test("a grant carries the approver's note and a membership found", () => {
  assertEquals(
    outcomeOf({
      ...pending,
      state: "granted",
      expires_at: until,
      decision_note: "Until Friday",
      membership: "present",
    }),
    {
      kind: "granted",
      expiresAt: new Date(until),
      selfApproved: false,
      note: "Until Friday",
      alreadyMember: true,
    },
  );
});

Deno.test("a self-approved grant says so", () => {
  const outcome = outcomeOf({
    ...pending,
    approver: "U1",
    state: "granted",
    expires_at: until,
  });
  assertEquals(outcome.kind === "granted" && outcome.selfApproved, true);
});

Deno.test("a grant later revoked or expired was still granted", () => {
  for (
    const record of [
      { ...pending, state: "revoked" as const, expires_at: until },
      {
        ...pending,
        state: "expired" as const,
        expires_at: until,
        granted_at: created.toISOString(),
      },
    ]
  ) {
    assertEquals(outcomeOf(record).kind, "granted", record.state);
  }
});

Deno.test("a grant without its end recorded ends as planned", () => {
  assertEquals(
    outcomeOf({ ...pending, state: "granted", planned_expiry: until }),
    { kind: "granted", expiresAt: new Date(until), selfApproved: false },
  );
});

Deno.test("a denial carries its reason", () => {
  assertEquals(outcomeOf({ ...pending, state: "denied" }), { kind: "denied" });
  const outcome = outcomeOf({
    ...pending,
    state: "denied",
    decision_note: "Use staging",
  });
  assertEquals(outcome, { kind: "denied", reason: "Use staging" });
  assertEquals(resultOf(outcome), { outputs: { outcome: "denied" } });
});

Deno.test("ends without a decision, and a grant in progress", () => {
  assertEquals(outcomeOf({ ...pending, state: "expired" }), {
    kind: "expired",
  });
  assertEquals(outcomeOf({ ...pending, state: "cancelled" }), {
    kind: "cancelled",
  });
  assertEquals(outcomeOf({ ...pending, state: "approved" }), {
    kind: "in_progress",
  });
  for (const kind of ["expired", "cancelled", "in_progress"] as const) {
    assertEquals(resultOf({ kind }), { outputs: { outcome: kind } });
  }
});

Deno.test("a failed grant is the step's error", () => {
  const outcome = outcomeOf({
    ...pending,
    state: "failed",
    error: "Tailscale said no.",
  });
  assertEquals(outcome, { kind: "failed", error: "Tailscale said no." });
  assertEquals(resultOf(outcome), {
    error: "The grant failed: Tailscale said no.",
  });
  assertEquals(outcomeOf({ ...pending, state: "failed" }), {
    kind: "failed",
    error: "unknown error",
  });
});

Deno.test("the prompt is known once both its channel and ts are", () => {
  assertEquals(promptOf(pending), undefined);
  assertEquals(promptOf({ ...pending, prompt_channel: "D1" }), undefined);
  assertEquals(
    promptOf({ ...pending, prompt_channel: "D1", prompt_ts: "1.2" }),
    { channel: "D1", ts: "1.2" },
  );
});

Deno.test("the summary describes the request as recorded", () => {
  const target = {
    kind: "group" as const,
    group: "group:prod",
    login: "alice@example.com",
  };
  const requester = { id: "U1", name: "Alice", email: "alice@example.com" };
  assertEquals(summaryOf(pending, { profile, target, requester }), {
    requesterId: "U1",
    approverId: "U2",
    requesterEmail: "alice@example.com",
    profile,
    target,
    durationSeconds: 7200,
    reason: "INC-1",
  });
});

Deno.test("an extension's summary says until when it would run", () => {
  const target = {
    kind: "group" as const,
    group: "group:prod",
    login: "alice@example.com",
  };
  const extension = { ...pending, extends: "req-0", planned_expiry: until };
  assertEquals(
    summaryOf(extension, { profile, target, requester: null }).extendsUntil,
    new Date(until),
  );
  const granted = { ...extension, expires_at: "2030-01-01T13:00:00.000Z" };
  assertEquals(
    summaryOf(granted, { profile, target, requester: null }).extendsUntil,
    new Date("2030-01-01T13:00:00.000Z"),
  );
});
