/**
 * Slack's executions and deliveries, end to end through the emulators: an
 * execution only its own events may complete, an approver's buttons that
 * outlive the step that posted them, and every event delivered more than
 * once doing its work once (see docs/platform-contract.md). Slack's time
 * limits are pinned in tests/handler_limit_test.ts.
 */
import { assert, assertEquals } from "./assert.ts";
import {
  ALICE_ASKS_BOB,
  approve,
  attributeWrites,
  fillRequest,
  PEOPLE,
  PROFILES,
  REAL_SETTLE,
  records,
  requestPending,
  submitRequest,
  withApp,
} from "./flow_helpers.ts";

const { alice, bob } = PEOPLE;
const MINUTE = 60_000;
const WRITE = /\/attributes\/custom:prodAccess$/;

Deno.test("timeout and cancel never complete another execution; nothing stays in progress", async () => {
  await withApp({
    profiles: PROFILES.map((p) =>
      p.attribute === "custom:prodAccess"
        ? { ...p, requestTimeoutSeconds: 3600 }
        : p
    ),
  }, async (app) => {
    const first = await requestPending(app);
    await app.platform.advanceClock(61 * MINUTE);
    assertEquals(records(app)[0].state, "expired");
    const second = await requestPending(app);
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
    const { run, prompt } = await requestPending(app);
    assertEquals(run.status, "completed", "the review step is done");
    await approve(app, bob, prompt);
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
    await approve(app, bob, prompts()[0]);
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
    await submitRequest(app);
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
    const { prompt } = await requestPending(app);
    await approve(app, bob, prompt);
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
