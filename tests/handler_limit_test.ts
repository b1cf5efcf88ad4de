/**
 * Slack's time limits, end to end through the emulators: a handler is
 * killed at 60 s (a step) or 10 s (a click), so the app works to a deadline
 * inside them. A slow Tailscale is waited for while the step has time; a
 * grant that does not fit is handed to a resume trigger a minute later, or
 * to the periodic check if that trigger is lost; nothing is left halfway
 * and no handler runs past its limit (see docs/platform-contract.md).
 *
 * These tests wait in real time (Tailscale answering after 8 or 12 s, a
 * Retry-After of 15 s), against the app's real request timeout.
 */
import type { TestApp } from "../dev/app.ts";
import { assert, assertEquals, assertIncludes } from "./assert.ts";
import {
  ALICE_LAPTOP,
  approve,
  attributeWrites,
  lastDecision,
  PEOPLE,
  records,
  repliesTo,
  requestPending,
  textIn,
  withApp,
} from "./flow_helpers.ts";

const { alice, bob } = PEOPLE;
const MINUTE = 60_000;
const WRITE = /\/attributes\/custom:prodAccess$/;

const prodAccess = (app: TestApp) =>
  app.tailscale.customAttributes(ALICE_LAPTOP).attributes["custom:prodAccess"];

/** Nothing is left approved but not granted, and nobody saw Slack's error. */
function nothingLeftHalfway(app: TestApp) {
  assertEquals(records(app).filter((r) => r.state === "approved"), []);
  assertEquals(app.platform.timeouts, [], "no handler ran past its limit");
}

Deno.test("Tailscale answering the write after 12 s: granted within the step's time, everyone told", async () => {
  await withApp({}, async (app) => {
    const { prompt } = await requestPending(app);
    // The write takes effect, but its answer comes after the app's 10 s
    // request timeout: the retry finds it done (writes are idempotent).
    app.tailscale.delayNext(1, 12_000, "POST", WRITE);
    await approve(app, bob, prompt);
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
    const { prompt } = await requestPending(app);
    app.tailscale.failNext(1, {
      status: 429,
      body: { message: "too many requests" },
      headers: { "Retry-After": "15" },
    }, WRITE);
    await approve(app, bob, prompt);
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
    const { prompt } = await requestPending(app);
    app.tailscale.delayNext(1, 8_000, "POST", WRITE);
    await approve(app, bob, prompt);
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
    const { prompt } = await requestPending(app);
    app.tailscale.delayNext(1, 8_000, "POST", WRITE);
    await approve(app, bob, prompt);
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
