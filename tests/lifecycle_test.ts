/**
 * The life of a grant, end to end through the emulator: "My Tailscale
 * access", revoke, extend, reminders and expiry (scheduled triggers fired by
 * moving the emulator's clock), pending timeouts and cancel, approvers from
 * user groups, and changes made outside the app.
 */
import type { TestApp } from "../dev/app.ts";
import type { ConfigInput } from "../lib/config_schema.ts";
import { assert, assertEquals, assertIncludes } from "./assert.ts";
import {
  ALICE_ASKS_BOB,
  ALICE_LAPTOP,
  approve,
  attributeWrites,
  deny,
  LABEL,
  lastDecision,
  messageWithButton,
  PEOPLE,
  PROFILES,
  records,
  repliesTo,
  requestApproved,
  requestGranted,
  requestPending,
  submitRequest,
  textIn,
  withApp,
} from "./flow_helpers.ts";

const { alice, bob, carol, dave } = PEOPLE;
const MY_ACCESS = "my_tailscale_access";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Profiles for these tests: Production grants up to 2 h, 3 h in all. */
const LIFE_PROFILES: ConfigInput["profiles"] = PROFILES.map((p) =>
  p.attribute === "custom:prodAccess"
    ? {
      ...p,
      maxSeconds: 2 * 3600,
      maxExtendedSeconds: 3 * 3600,
      requestTimeoutSeconds: 4 * 3600,
    }
    : p
);
const ADMINS = ["dave@example.com"];

function withLife(fn: (app: TestApp) => Promise<void>) {
  return withApp({ profiles: LIFE_PROFILES, admins: ADMINS }, fn);
}

/** Opens "My Tailscale access" as `user`; returns the modal's text. */
async function openMyAccess(app: TestApp, user: string) {
  const run = await app.platform.startWorkflow(MY_ACCESS, user);
  return { run, text: viewText(app, user) };
}

function viewText(app: TestApp, user: string): string {
  return JSON.stringify(app.platform.openView(user).view.blocks);
}

const prodAttribute = (app: TestApp) =>
  app.tailscale.customAttributes(ALICE_LAPTOP);

const scheduled = (app: TestApp) =>
  [...app.slack.triggers.values()].filter((t) => t.type === "scheduled");

Deno.test("My access lists the grant with its approver and end, and pending requests", async () => {
  await withLife(async (app) => {
    const { record } = await requestGranted(app);
    await requestPending(app);
    const { text } = await openMyAccess(app, alice);
    assertIncludes(text, "Your active access");
    assertIncludes(text, "*Production* on `alice-laptop`");
    assertIncludes(text, `Approved by <@${bob}>`);
    assertIncludes(
      text,
      `${Math.floor(Date.parse(record.expires_at!) / 1000)}`,
    );
    assertIncludes(text, "Your pending requests");
    assertIncludes(text, `Waiting for <@${bob}>`);
    assertIncludes(text, '"Revoke"');
    assertIncludes(text, '"Extend…"');
    assertIncludes(text, '"Cancel request"');
    // Someone else sees none of it.
    const other = await openMyAccess(app, carol);
    assertIncludes(other.text, "No active access.");
    assertIncludes(other.text, "No pending requests.");
    assertEquals(app.slack.blockKitViolations, []);
  });
});

Deno.test("the requester revokes: the attribute is deleted, everyone is told, timers go", async () => {
  await withLife(async (app) => {
    const { record } = await requestGranted(app);
    assertEquals(scheduled(app).length, 2, "reminder and expiry");
    assertEquals(prodAttribute(app).attributes["custom:prodAccess"], true);
    const { run } = await openMyAccess(app, alice);
    await app.platform.press(alice, "Revoke");
    assertEquals(prodAttribute(app).attributes["custom:prodAccess"], undefined);
    assertEquals(
      app.tailscale.callsTo("DELETE", /\/attributes\/custom:prodAccess$/)
        .length,
      1,
    );
    const after = records(app).find((r) => r.id === record.id)!;
    assertEquals(after.state, "revoked");
    assertEquals(after.ended_by, alice);
    assert(
      after.history.some((h) => h.event === "revoked" && h.actor === alice),
    );
    assertIncludes(textIn(app, alice), "was revoked by");
    assertIncludes(textIn(app, bob), "was revoked by");
    assertIncludes(textIn(app, "C0NOTIFY01"), "was revoked by");
    assertEquals(scheduled(app).length, 0, "reminder and expiry deleted");
    assertIncludes(viewText(app, alice), "Revoked: the attribute was removed");
    assertIncludes(viewText(app, alice), "No active access.");
    // Closing the list ends the workflow; its review step has nothing to do.
    await app.platform.closeView(alice);
    assertEquals(run.status, "completed");
    assertEquals(run.executions[1].outputs?.outcome, "none");
  });
});

Deno.test("an admin sees everyone's access and revokes it with a reason", async () => {
  await withLife(async (app) => {
    const { record } = await requestGranted(app);
    const { text } = await openMyAccess(app, dave);
    assertIncludes(text, "Active access (everyone)");
    assertIncludes(text, `<@${alice}>`);
    await app.platform.press(dave, "Revoke…");
    // A reason is required.
    const empty = await app.platform.submit(dave);
    assertEquals(empty.response_action, "errors");
    app.platform.type(dave, "Reason", "Laptop reported stolen");
    await app.platform.submit(dave);
    const after = records(app).find((r) => r.id === record.id)!;
    assertEquals(
      [after.state, after.ended_by, after.end_reason],
      ["revoked", dave, "Laptop reported stolen"],
    );
    assertEquals(prodAttribute(app).attributes["custom:prodAccess"], undefined);
    assertIncludes(textIn(app, alice), "Laptop reported stolen");
    assertIncludes(textIn(app, bob), "Laptop reported stolen");
    assertIncludes(viewText(app, dave), "Revoked");
  });
});

Deno.test("revoking is refused to anyone but the requester and admins", async () => {
  await withLife(async (app) => {
    const { record } = await requestGranted(app);
    // Carol has her own grant, so she has a Revoke button to tamper with.
    await requestApproved(app, {
      ...ALICE_ASKS_BOB,
      device: { query: "", option: "carol-" },
    }, { requester: carol });
    await openMyAccess(app, carol);
    await app.platform.press(carol, "Revoke", { forgedValue: record.id });
    assertIncludes(
      viewText(app, carol),
      "Only the person who has the access or a tailnet admin can revoke it.",
    );
    assertEquals(
      records(app).find((r) => r.id === record.id)!.state,
      "granted",
    );
    assertEquals(prodAttribute(app).attributes["custom:prodAccess"], true);
    assertEquals(app.tailscale.callsTo("DELETE", /attributes/).length, 0);
  });
});

Deno.test("15 minutes before the end the requester is reminded with Extend; at the end, told", async () => {
  await withLife(async (app) => {
    const { record } = await requestGranted(app);
    await app.platform.advanceClock(44 * MINUTE);
    assert(!textIn(app, alice).includes("ends"), "not yet");
    await app.platform.advanceClock(2 * MINUTE);
    const reminder = messageWithButton(app, alice, "Extend…");
    assertIncludes(JSON.stringify(reminder.blocks), "Your access to");
    // The Extend button opens My access on this grant's extension form.
    await app.platform.clickWorkflowButton(alice, reminder, "Extend…");
    assertIncludes(viewText(app, alice), "Extend *Production*");
    await app.platform.closeView(alice);
    await app.platform.advanceClock(15 * MINUTE);
    const after = records(app).find((r) => r.id === record.id)!;
    assertEquals(after.state, "expired");
    assert(after.history.some((h) => h.event === "expired"));
    assertIncludes(textIn(app, alice), "access to *Production*");
    assertIncludes(textIn(app, alice), "ended");
    assertIncludes(textIn(app, "C0NOTIFY01"), "ended");
    assertEquals(prodAttribute(app).attributes["custom:prodAccess"], undefined);
    const { text } = await openMyAccess(app, alice);
    assertIncludes(text, "No active access.");
  });
});

Deno.test("an attribute removed outside the app shows as such, and the end says so plainly", async () => {
  await withLife(async (app) => {
    await requestGranted(app);
    app.tailscale.setAttributeOutside(ALICE_LAPTOP, "custom:prodAccess", null);
    const { text } = await openMyAccess(app, alice);
    assertIncludes(text, "Removed outside this app");
    await app.platform.closeView(alice);
    // Changed outside: set again with a longer expiry.
    const later = new Date(app.slack.now() + 5 * HOUR).toISOString();
    app.tailscale.setAttributeOutside(ALICE_LAPTOP, "custom:prodAccess", {
      value: true,
      expiry: later,
    });
    assertIncludes(
      (await openMyAccess(app, alice)).text,
      "Changed outside this app",
    );
    await app.platform.closeView(alice);
    await app.platform.advanceClock(61 * MINUTE);
    assertIncludes(textIn(app, alice), "changed outside this app");
  });
});

Deno.test("an extension within the limit moves the expiry in Tailscale and on the grant", async () => {
  await withLife(async (app) => {
    const { record } = await requestGranted(app);
    const firstEnd = Date.parse(record.expires_at!);
    await openMyAccess(app, alice);
    await app.platform.press(alice, "Extend…");
    const form = viewText(app, alice);
    // Production: 2 h per grant, 3 h in all: at most 2 h more.
    assertIncludes(form, "2 hours more");
    assert(!form.includes("4 hours more"), "beyond the limit is not offered");
    await app.platform.choose(alice, "For how much longer?", "2 hours more");
    await app.platform.choose(alice, LABEL.approver, "*Bob Baker*");
    app.platform.type(alice, LABEL.reason, "Incident still open");
    const run = app.platform.runs.at(-1)!;
    await app.platform.submit(alice);
    const prompt = app.slack.messagesIn(bob).filter((m) =>
      JSON.stringify(m.blocks).includes("asks to *extend*")
    ).at(-1);
    assert(prompt, "the approver is asked");
    await app.platform.click(bob, prompt, "Approve with note…");
    app.platform.type(bob, "Note to the requester", "OK, 2 more hours");
    await app.platform.submit(bob);
    const planned = firstEnd + 2 * HOUR;
    const expiry = Date.parse(prodAttribute(app).expiries["custom:prodAccess"]);
    assert(Math.abs(expiry - planned) < 2000, `expiry ${expiry} vs ${planned}`);
    const original = records(app).find((r) => r.id === record.id)!;
    assertEquals(Date.parse(original.expires_at!), expiry);
    assert(original.history.some((h) => h.event === "extended"));
    assertIncludes(textIn(app, alice), "extended access");
    assertIncludes(textIn(app, alice), "OK, 2 more hours");
    assertEquals(run.status, "completed");
    assertEquals(run.executions[1].outputs?.outcome, "requested");
    assertEquals(lastDecision(app).outcome, "granted");
    // The old reminder and expiry were replaced by new ones.
    const starts = scheduled(app).map((t) =>
      Date.parse(String((t.schedule as { start_time: string }).start_time))
    ).sort();
    assertEquals(starts.length, 2);
    assert(Math.abs(starts[1] - expiry) < 2000, "expiry trigger moved");
    // At the first end nothing happens; at the new one it ends.
    await app.platform.advanceClock(61 * MINUTE);
    assertEquals(
      records(app).find((r) => r.id === record.id)!.state,
      "granted",
    );
    assertEquals(prodAttribute(app).attributes["custom:prodAccess"], true);
    await app.platform.advanceClock(2 * HOUR);
    assertEquals(
      records(app).find((r) => r.id === record.id)!.state,
      "expired",
    );
  });
});

Deno.test("an extension beyond the limit is refused, and none is offered once it is reached", async () => {
  await withLife(async (app) => {
    await requestGranted(app);
    await openMyAccess(app, alice);
    await app.platform.press(alice, "Extend…");
    app.platform.forge(alice, "For how much longer?", {
      selected_option: { value: String(4 * 3600) },
    });
    await app.platform.choose(alice, LABEL.approver, "*Bob Baker*");
    app.platform.type(alice, LABEL.reason, "more");
    const refused = await app.platform.submit(alice);
    assertEquals(refused.response_action, "errors");
    assertIncludes(
      JSON.stringify(refused),
      "Choose one of the offered lengths.",
    );
    // Use up the room: 2 hours more, approved.
    await app.platform.choose(alice, "For how much longer?", "2 hours more");
    await app.platform.submit(alice);
    await approve(
      app,
      bob,
      app.slack.messagesIn(bob).filter((m) =>
        JSON.stringify(m.blocks).includes("asks to *extend*")
      ).at(-1)!,
    );
    const { text } = await openMyAccess(app, alice);
    assert(!text.includes('"Extend…"'), "no Extend once the limit is reached");
    await app.platform.closeView(alice);
    // The reminder says it cannot be extended.
    await app.platform.advanceClock(3 * HOUR - 14 * MINUTE);
    assertIncludes(textIn(app, alice), "It cannot be extended");
  });
});

Deno.test("a request nobody decides expires: approver nudged halfway, requester told, nothing left waiting", async () => {
  await withLife(async (app) => {
    const { run, prompt } = await requestPending(app);
    // What a client that has not refreshed still shows.
    const stale = structuredClone(prompt);
    assertEquals(scheduled(app).length, 2, "nudge and timeout");
    await app.platform.advanceClock(2 * HOUR + MINUTE);
    const nudges = app.slack.messagesIn(bob).filter((m) =>
      (m.text ?? "").startsWith("Reminder")
    );
    assertEquals(nudges.length, 1);
    assertEquals(nudges[0].thread_ts, prompt.ts, "in the request's thread");
    await app.platform.advanceClock(2 * HOUR);
    const [record] = records(app);
    assertEquals(record.state, "expired");
    assertIncludes(textIn(app, alice), "expired");
    const updated = app.slack.messagesIn(bob).find((m) => m.ts === prompt.ts)!;
    assertIncludes(JSON.stringify(updated.blocks), "request expired");
    assert(
      !JSON.stringify(updated.blocks).includes("workflow_button"),
      "no buttons left",
    );
    // No step waited on the decision: the run ended when Bob was asked.
    assertEquals(run.status, "completed");
    assertEquals(run.executions[1].outputs?.outcome, "requested");
    // A late click (from a stale client) changes nothing.
    await approve(app, bob, stale);
    assertEquals(attributeWrites(app).length, 0);
    assertIncludes(repliesTo(app, bob), "expired");
  });
});

Deno.test("the requester cancels a pending request: the approver's message says so", async () => {
  await withLife(async (app) => {
    const { run, prompt } = await requestPending(app);
    await openMyAccess(app, alice);
    await app.platform.press(alice, "Cancel request");
    const [record] = records(app);
    assertEquals([record.state, record.ended_by], ["cancelled", alice]);
    const updated = app.slack.messagesIn(bob).find((m) => m.ts === prompt.ts)!;
    assertIncludes(JSON.stringify(updated.blocks), "Cancelled by");
    assertEquals(run.status, "completed");
    assertEquals(run.executions[1].outputs?.outcome, "requested");
    assertEquals(
      app.platform.runs.filter((r) => r.status === "running").length,
      1,
      "only My access is still open",
    );
    assertEquals(scheduled(app).length, 0, "nudge and timeout deleted");
    assertIncludes(viewText(app, alice), "Request cancelled");
  });
});

Deno.test("approvers from a user group: membership is checked at click time", async () => {
  const profiles: ConfigInput["profiles"] = [{
    description: "Production",
    attribute: "custom:prodAccess",
    approverGroups: ["S0APPROVE1"],
  }];
  await withApp({ profiles }, async (app) => {
    // S0APPROVE1 is Bob and Carol; Dave joins after the request is sent.
    const { prompt } = await requestPending(app, {
      profile: "Production",
      device: { query: "", option: "alice-laptop" },
      approver: "*Carol",
      reason: "deploy",
    }, { approver: carol });
    app.slack.setUsergroupMembers("S0APPROVE1", [bob]);
    await approve(app, carol, prompt);
    assertEquals(attributeWrites(app).length, 0);
    assertIncludes(repliesTo(app, carol), "You can no longer decide");
    app.slack.setUsergroupMembers("S0APPROVE1", [bob, carol]);
    await approve(app, carol, prompt);
    assertEquals(attributeWrites(app).length, 1);
    assertEquals(records(app)[0].state, "granted");
  });
});

Deno.test("deny with a reason: it reaches the requester and the record", async () => {
  await withLife(async (app) => {
    const { run, prompt } = await requestPending(app);
    const empty = await (async () => {
      await app.platform.click(bob, prompt, "Deny…");
      return await app.platform.submit(bob);
    })();
    assertEquals(empty.response_action, "errors", "a reason is required");
    await app.platform.closeView(bob);
    await deny(app, bob, prompt, "Use the read replica");
    assertEquals(records(app)[0].decision_note, "Use the read replica");
    assertIncludes(textIn(app, alice), "Use the read replica");
    assertEquals(run.executions[1].outputs?.outcome, "requested");
    assertEquals(lastDecision(app).outcome, "denied");
    assertEquals(scheduled(app).length, 0);
  });
});

Deno.test("on a self-service profile an extension is granted at once", async () => {
  await withLife(async (app) => {
    await submitRequest(app, {
      profile: "Staging",
      device: { query: "", option: "alice-laptop" },
      duration: "1 hour",
      approver: "No approval needed",
      reason: "load test",
    });
    const [grant] = records(app);
    assertEquals(grant.state, "granted");
    const firstEnd = Date.parse(grant.expires_at!);
    const run = await app.platform.startWorkflow(MY_ACCESS, alice);
    await app.platform.press(alice, "Extend…");
    await app.platform.choose(alice, "For how much longer?", "1 hour more");
    await app.platform.choose(alice, LABEL.approver, "No approval needed");
    app.platform.type(alice, LABEL.reason, "test runs long");
    await app.platform.submit(alice);
    assertEquals(run.executions[1].outputs?.outcome, "granted");
    const expiry = Date.parse(
      app.tailscale.customAttributes(ALICE_LAPTOP).expiries[
        "custom:stagingAccess"
      ],
    );
    assert(Math.abs(expiry - (firstEnd + HOUR)) < 2000, "moved by an hour");
    assertEquals(
      Date.parse(records(app).find((r) => r.id === grant.id)!.expires_at!),
      expiry,
    );
    assertEquals(
      app.slack.messagesIn(bob).length + app.slack.messagesIn(carol).length,
      0,
      "no approver asked",
    );
  });
});

Deno.test("My access with two grants lists both, each with buttons of its own", async () => {
  await withLife(async (app) => {
    await requestGranted(app);
    await submitRequest(app, {
      ...ALICE_ASKS_BOB,
      device: { query: "", option: "alice-iphone" },
    });
    const prompts = app.slack.messagesIn(bob).filter((m) =>
      JSON.stringify(m.blocks ?? []).includes("decide_approve")
    );
    await approve(app, bob, prompts.at(-1)!);
    assertEquals(records(app).filter((r) => r.state === "granted").length, 2);
    const { text } = await openMyAccess(app, alice);
    assertIncludes(text, "alice-laptop");
    assertIncludes(text, "alice-iphone");
    assertEquals(app.slack.blockKitViolations, []);
    // The second grant's Revoke revokes that grant only.
    const iphone = records(app).find((r) => r.device_id !== ALICE_LAPTOP)!;
    await app.platform.press(alice, "Revoke", { value: iphone.id });
    assertEquals(
      records(app).find((r) => r.id === iphone.id)!.state,
      "revoked",
    );
    assertEquals(prodAttribute(app).attributes["custom:prodAccess"], true);
  });
});
