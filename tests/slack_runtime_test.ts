/**
 * Slack as it really runs, end to end through the emulators: handlers cut
 * at Slack's time limits, executions that only their own events may
 * complete, buttons of completed executions that stop working, and events
 * delivered more than once (see docs/platform-contract.md).
 */
import type { TestApp } from "../dev/app.ts";
import { assert, assertEquals, assertIncludes } from "./assert.ts";
import {
  ALICE_ASKS_BOB,
  ALICE_LAPTOP,
  attributeWrites,
  fillRequest,
  lastDecision,
  messageWithButton,
  PEOPLE,
  PROFILES,
  REAL_SETTLE,
  records,
  repliesTo,
  textIn,
  withApp,
} from "./flow_helpers.ts";

const { alice, bob } = PEOPLE;
const MINUTE = 60_000;
const WRITE = /\/attributes\/custom:prodAccess$/;

/** Alice's request, waiting for Bob; returns his prompt. */
async function pending(app: TestApp) {
  const run = await fillRequest(app, alice, ALICE_ASKS_BOB);
  await app.platform.submit(alice);
  return { run, prompt: messageWithButton(app, bob, "Approve") };
}

const prodAccess = (app: TestApp) =>
  app.tailscale.customAttributes(ALICE_LAPTOP).attributes["custom:prodAccess"];

/** Nothing is left approved but not granted, and nobody saw Slack's error. */
function nothingLeftHalfway(app: TestApp) {
  assertEquals(records(app).filter((r) => r.state === "approved"), []);
  assertEquals(app.platform.timeouts, [], "no handler ran past its limit");
}

Deno.test("Tailscale answering the write after 12 s: granted within the step's time, everyone told", async () => {
  await withApp({}, async (app) => {
    const { prompt } = await pending(app);
    // The write takes effect, but its answer comes after the app's 10 s
    // request timeout: the retry finds it done (writes are idempotent).
    app.tailscale.delayNext(1, 12_000, "POST", WRITE);
    await app.platform.click(bob, prompt, "Approve");
    assertEquals(records(app)[0].state, "granted");
    assertEquals(prodAccess(app), true);
    assertEquals(lastDecision(app).outcome, "granted");
    assertIncludes(textIn(app, alice), "is active until");
    assertIncludes(textIn(app, "C0NOTIFY01"), `Approved by <@${bob}>`);
    nothingLeftHalfway(app);
  });
});

Deno.test("a 429 with Retry-After: 15 on the write: granted after the wait, everyone told", async () => {
  await withApp({}, async (app) => {
    const { prompt } = await pending(app);
    app.tailscale.failNext(1, {
      status: 429,
      body: { message: "too many requests" },
      headers: { "Retry-After": "15" },
    }, WRITE);
    await app.platform.click(bob, prompt, "Approve");
    assertEquals(
      attributeWrites(app).map((c) => c.status),
      [429, 200],
      "waited, then wrote",
    );
    assertEquals(records(app)[0].state, "granted");
    assertIncludes(textIn(app, alice), "is active until");
    nothingLeftHalfway(app);
  });
});

Deno.test("a grant that does not fit in its step is handed on, finished a minute later, and said", async () => {
  // A step with 6 s to work in (instead of Slack's 60 s less a margin):
  // a write answered after 8 s cannot be waited for.
  await withApp({ env: { HANDLER_DEADLINE_MS: "6000" } }, async (app) => {
    const { prompt } = await pending(app);
    app.tailscale.delayNext(1, 8_000, "POST", WRITE);
    await app.platform.click(bob, prompt, "Approve");
    const [handed] = records(app);
    assertEquals(handed.state, "approved");
    assert(handed.history.some((h) => h.event === "grant_deferred"));
    assertEquals(lastDecision(app).outcome, "in_progress");
    assertIncludes(repliesTo(app, bob), "the grant is being finished");
    const updated = app.slack.messagesIn(bob).find((m) => m.ts === prompt.ts)!;
    assertIncludes(JSON.stringify(updated.blocks), "being finished");
    assert(
      !JSON.stringify(updated.blocks).includes("workflow_button"),
      "no buttons while it is being granted",
    );
    // A minute later the resume event finishes it.
    await app.platform.advanceClock(MINUTE + 5_000);
    assertEquals(records(app)[0].state, "granted");
    assertIncludes(textIn(app, alice), "is active until");
    nothingLeftHalfway(app);
  });
});

Deno.test("a lost resume trigger: the periodic check finishes the grant", async () => {
  await withApp({ env: { HANDLER_DEADLINE_MS: "6000" } }, async (app) => {
    const { prompt } = await pending(app);
    app.tailscale.delayNext(1, 8_000, "POST", WRITE);
    await app.platform.click(bob, prompt, "Approve");
    const resume = records(app)[0].schedule?.find((e) =>
      e.startsWith("resume:")
    );
    assert(resume, "a resume was scheduled");
    app.slack.triggers.delete(resume.split(":")[1]);
    // The reconciliation triggers run every 15 minutes.
    await app.platform.advanceClock(16 * MINUTE);
    assertEquals(records(app)[0].state, "granted");
    assertIncludes(textIn(app, alice), "is active until");
    nothingLeftHalfway(app);
  });
});

Deno.test("timeout and cancel never complete another execution; nothing stays in progress", async () => {
  await withApp({
    profiles: PROFILES.map((p) =>
      p.attribute === "custom:prodAccess"
        ? { ...p, requestTimeoutSeconds: 3600 }
        : p
    ),
  }, async (app) => {
    const first = await pending(app);
    await app.platform.advanceClock(61 * MINUTE);
    assertEquals(records(app)[0].state, "expired");
    const second = await pending(app);
    await app.platform.startWorkflow("my_tailscale_access", alice);
    await app.platform.press(alice, "Cancel request");
    await app.platform.closeView(alice);
    assert(records(app).some((r) => r.state === "cancelled"));
    // Every completion the app asked for was its own execution's.
    for (const call of app.slack.callsTo("functions.completeSuccess")) {
      assertEquals(call.response, { ok: true });
    }
    for (const run of [first.run, second.run]) {
      assertEquals(run.status, "completed");
    }
    assertEquals(
      app.platform.runs.filter((r) => r.status === "running"),
      [],
      "no run is left waiting",
    );
  });
});

Deno.test("the approver's buttons keep working after the step that posted them completed", async () => {
  await withApp({}, async (app) => {
    const { run, prompt } = await pending(app);
    assertEquals(run.status, "completed", "the review step is done");
    await app.platform.click(bob, prompt, "Approve");
    assertEquals(records(app)[0].state, "granted");
    assertEquals(app.platform.dropped, []);
  });
});

Deno.test("every step delivered twice: one DM, one set of triggers, one record, one grant", async () => {
  await withApp({}, async (app) => {
    const run = await fillRequest(app, alice, ALICE_ASKS_BOB);
    // The form's step again: the form is open already; nothing fails.
    await app.platform.redeliver("request_access", "function_executed");
    assertEquals(run.executions[0].status, "running");
    await app.platform.submit(alice);
    // The submission again, and the review step again.
    await app.platform.redeliver("request_access", "view_submission");
    await app.platform.redeliver("review_access");
    assertEquals(records(app).length, 1, "one record");
    const prompts = () =>
      app.slack.messagesIn(bob).filter((m) =>
        JSON.stringify(m.blocks ?? []).includes("workflow_button")
      );
    assertEquals(prompts().length, 1, "one prompt");
    const scheduled = () =>
      [...app.slack.triggers.values()].filter((t) => t.type === "scheduled");
    assertEquals(scheduled().length, 2, "one nudge and one timeout");
    await app.platform.click(bob, prompts()[0], "Approve");
    // Both steps of the decision again.
    await app.platform.redeliver("collect_decision");
    await app.platform.redeliver("decide_access");
    assertEquals(attributeWrites(app).length, 1, "one grant");
    const told = app.slack.messagesIn(alice).filter((m) =>
      JSON.stringify(m.blocks).includes("is active until")
    );
    assertEquals(told.length, 1, "told once");
    assertEquals(scheduled().length, 2, "one reminder and one expiry");
    // The reminder and the expiry, each delivered twice.
    await app.platform.advanceClock(46 * MINUTE);
    await app.platform.redeliver("lifecycle_event");
    const reminders = app.slack.messagesIn(alice).filter((m) =>
      JSON.stringify(m.blocks).includes("reminder")
    );
    assertEquals(reminders.length, 1, "one reminder");
    await app.platform.advanceClock(15 * MINUTE);
    await app.platform.redeliver("lifecycle_event");
    const ended = app.slack.messagesIn(alice).filter((m) =>
      (m.text ?? "").includes("ended")
    );
    assertEquals(ended.length, 1, "one end notice");
    assertEquals(records(app)[0].state, "expired");
  });
});

Deno.test("My access and the login overrides, delivered twice, open once and fail nothing", async () => {
  await withApp({ admins: ["dave@example.com"] }, async (app) => {
    const mine = await app.platform.startWorkflow(
      "my_tailscale_access",
      alice,
    );
    await app.platform.redeliver("my_access", "function_executed");
    assertEquals(mine.status, "running");
    const logins = await app.platform.startWorkflow(
      "manage_tailscale_logins",
      PEOPLE.dave,
    );
    await app.platform.redeliver("login_overrides", "function_executed");
    assertEquals(logins.status, "running");
  });
});

Deno.test("the review step delivered twice at once asks the approver once", async () => {
  // Deciders race here: the claim needs its real settle time.
  await withApp({ env: REAL_SETTLE }, async (app) => {
    await fillRequest(app, alice, ALICE_ASKS_BOB);
    await app.platform.submit(alice);
    // Back to before the approver was asked, then two deliveries at once.
    const [record] = records(app);
    const { prompt_ts: _ts, prompt_channel: _ch, prompt_claim: _c, ...fresh } =
      record;
    app.slack.datastore("requests").set(record.id, { ...fresh, schedule: [] });
    for (const [id, t] of app.slack.triggers) {
      if (t.type === "scheduled") app.slack.triggers.delete(id);
    }
    await Promise.all([
      app.platform.redeliver("review_access"),
      app.platform.redeliver("review_access"),
    ]);
    const prompts = app.slack.messagesIn(bob).filter((m) =>
      JSON.stringify(m.blocks ?? []).includes("workflow_button")
    );
    assertEquals(prompts.length, 2, "the first delivery's and one more");
    assertEquals(
      [...app.slack.triggers.values()].filter((t) => t.type === "scheduled")
        .length,
      2,
    );
  });
});

Deno.test("a revoke click and a reconciliation delivered twice: one DELETE, one notice", async () => {
  await withApp({}, async (app) => {
    const { prompt } = await pending(app);
    await app.platform.click(bob, prompt, "Approve");
    await app.platform.startWorkflow("my_tailscale_access", alice);
    await app.platform.press(alice, "Revoke");
    await app.platform.redeliver("my_access", "block_actions");
    assertEquals(app.tailscale.callsTo("DELETE", WRITE).length, 1);
    const revoked = app.slack.messagesIn(alice).filter((m) =>
      (m.text ?? "").includes("was revoked")
    );
    assertEquals(revoked.length, 1, "told once");
    assertEquals(records(app)[0].state, "revoked");
    await app.platform.startWorkflow("reconcile_group_access", alice);
    await app.platform.redeliver("reconcile_access");
    assertEquals(records(app)[0].state, "revoked");
    assertEquals(app.platform.timeouts, []);
  });
});
