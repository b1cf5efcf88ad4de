/**
 * Two-person approval (`approvalsRequired` 2), end to end through the
 * emulators: every eligible approver is asked in their own DM, one approval
 * is not enough, the second grants exactly once (even when the two race),
 * one Deny ends it, the requester and a second click by the same person
 * never count, and every prompt, outcome and My access names who approved.
 */
import type { TestApp } from "../dev/app.ts";
import type { ConfigInput } from "../lib/config_schema.ts";
import { assert, assertEquals, assertIncludes } from "./assert.ts";
import {
  approve,
  attributeWrites,
  deny,
  type Filled,
  newestPrompt,
  PEOPLE,
  REAL_SETTLE,
  records,
  repliesTo,
  submitRequest,
  textIn,
  withApp,
} from "./flow_helpers.ts";
import type { FakeMessage } from "../dev/emulator/slack.ts";

const { alice, bob, carol } = PEOPLE;

/** Production needs two of Alice, Bob and Carol; Alice may self-approve. */
const TWO_PERSON: ConfigInput["profiles"] = [{
  description: "Production",
  attribute: "custom:prodAccess",
  maxSeconds: 8 * 3600,
  approverEmails: ["alice@example.com", "bob@example.com", "carol@example.com"],
  canSelfApprove: true,
  approvalsRequired: 2,
  notifyChannel: "C0NOTIFY01",
}];

/** Alice's request: no approver to choose, the form names who is asked. */
const ALICE_ASKS: Filled = {
  profile: "Production",
  device: { query: "", option: "alice-laptop" },
  duration: "1 hour",
  reason: "INC-42 read payment logs",
};

function withTwo(
  fn: (app: TestApp) => Promise<void>,
  opts: Parameters<typeof withApp>[0] = {},
) {
  return withApp({ profiles: TWO_PERSON, ...opts }, fn);
}

/** Alice submits; returns Bob's and Carol's prompts. */
async function asked(app: TestApp) {
  const { answer } = await submitRequest(app, ALICE_ASKS);
  assertEquals(answer, {});
  return { bobs: newestPrompt(app, bob), carols: newestPrompt(app, carol) };
}

/** The prompt as it is now (the app updates it in place). */
function current(app: TestApp, prompt: FakeMessage): string {
  const now = app.slack.messagesIn(prompt.channel).find((m) =>
    m.ts === prompt.ts
  );
  assert(now, "the prompt is still there");
  return JSON.stringify(now.blocks);
}

const approvalsIn = (app: TestApp) =>
  records(app)[0].history.filter((h) => h.event === "approval");

Deno.test("two-person: the form names who is asked, and each gets their own prompt", async () => {
  await withTwo(async (app) => {
    await app.platform.startWorkflow("request_tailscale_access", alice);
    await app.platform.choose(
      alice,
      "What do you need access to?",
      "Production",
    );
    const form = JSON.stringify(app.platform.openView(alice).view.blocks);
    assertIncludes(form, "All 2 approvers (2 must approve)");
    assertIncludes(form, "Each is asked: Bob Baker, Carol");
    await app.platform.closeView(alice);
    const { bobs, carols } = await asked(app);
    assertEquals(
      bobs.channel === carols.channel,
      false,
      "each in their own DM",
    );
    for (const prompt of [bobs, carols]) {
      assertIncludes(JSON.stringify(prompt.blocks), "0 of 2 approvals so far");
    }
    assertIncludes(
      textIn(app, alice),
      `was sent to <@${bob}> and <@${carol}> (2 must approve)`,
    );
    assertEquals(records(app)[0].prompts?.length, 2);
    assertEquals(app.slack.blockKitViolations, []);
  });
});

Deno.test("two-person: one approval is not enough, the second grants once, and everyone sees both", async () => {
  await withTwo(async (app) => {
    const { bobs, carols } = await asked(app);
    await approve(app, bob, bobs);
    assertEquals(records(app)[0].state, "pending");
    assertEquals(attributeWrites(app).length, 0, "one approval is not enough");
    for (const prompt of [bobs, carols]) {
      assertIncludes(current(app, prompt), `1 of 2 approvals: <@${bob}>`);
      assertIncludes(current(app, prompt), "workflow_button");
    }
    assertIncludes(repliesTo(app, bob), "Your approval is recorded: 1 of 2");
    await approve(app, carol, carols);
    const [record] = records(app);
    assertEquals(record.state, "granted");
    assertEquals(attributeWrites(app).length, 1);
    assertEquals(approvalsIn(app).map((h) => h.actor), [bob, carol]);
    assert(approvalsIn(app).every((h) => Date.parse(h.at) > 0), "with times");
    const both = `Approved by <@${bob}> and <@${carol}>`;
    for (const prompt of [bobs, carols]) {
      assertIncludes(current(app, prompt), both);
      assert(!current(app, prompt).includes("workflow_button"), "no buttons");
    }
    assertIncludes(textIn(app, "C0NOTIFY01"), both);
    assertIncludes(textIn(app, alice), `approved by <@${bob}> and <@${carol}>`);
    await app.platform.startWorkflow("my_tailscale_access", alice);
    assertIncludes(
      JSON.stringify(app.platform.openView(alice).view.blocks),
      both,
    );
  });
});

Deno.test("two-person: the same person approving twice counts once", async () => {
  await withTwo(async (app) => {
    const { bobs } = await asked(app);
    await approve(app, bob, bobs);
    await approve(app, bob, bobs);
    assertEquals(records(app)[0].state, "pending");
    assertEquals(attributeWrites(app).length, 0);
    assertEquals(approvalsIn(app).length, 1);
    assertIncludes(repliesTo(app, bob), "You have already approved");
  });
});

Deno.test("two-person: the requester's own approval does not count, even with canSelfApprove", async () => {
  await withTwo(async (app) => {
    const { bobs } = await asked(app);
    assertEquals(
      app.slack.messagesIn(alice).filter((m) =>
        JSON.stringify(m.blocks ?? []).includes("decide_approve")
      ).length,
      0,
      "Alice is not asked",
    );
    // A click on Bob's prompt (forwarded, or a forged payload).
    await approve(app, alice, bobs);
    assertIncludes(repliesTo(app, alice), "Your own approval does not count");
    assertEquals(approvalsIn(app).length, 0);
    await approve(app, bob, bobs);
    assertEquals(records(app)[0].state, "pending", "1 of 2: not granted");
    assertEquals(attributeWrites(app).length, 0);
  });
});

Deno.test("two-person: a Deny after one approval ends it and updates every prompt", async () => {
  await withTwo(async (app) => {
    const { bobs, carols } = await asked(app);
    // What Bob's Slack showed him before the app updated it.
    const stale = structuredClone(bobs);
    await approve(app, bob, bobs);
    await deny(app, carol, carols, "Not during the freeze");
    const [record] = records(app);
    assertEquals([record.state, record.decided_by], ["denied", carol]);
    assertEquals(attributeWrites(app).length, 0);
    for (const prompt of [bobs, carols]) {
      assertIncludes(current(app, prompt), `Denied by <@${carol}>`);
      assert(!current(app, prompt).includes("workflow_button"), "no buttons");
    }
    assertIncludes(textIn(app, alice), `<@${carol}> denied your request`);
    // A late approval (from a client that has not refreshed) changes nothing.
    await approve(app, bob, stale);
    assertEquals(records(app)[0].state, "denied");
    assertEquals(attributeWrites(app).length, 0);
  });
});

Deno.test("two-person: the two approvals racing grant exactly once, both counted", async () => {
  // Deciders race here: the claim needs its real settle time. A slow
  // datastore read (answered a second late, with what was stored when it
  // was asked) makes both deciders read the record before either writes.
  await withTwo(async (app) => {
    const { bobs, carols } = await asked(app);
    await Promise.all([approve(app, bob, bobs), approve(app, carol, carols)]);
    const [record] = records(app);
    assertEquals(record.state, "granted");
    assertEquals(attributeWrites(app).length, 1, "one write");
    assertEquals(
      approvalsIn(app).map((h) => h.actor).sort(),
      [bob, carol].sort(),
    );
    assertEquals(
      record.history.filter((h) => h.event === "approved").length,
      1,
      "one decision",
    );
    assertEquals(
      textIn(app, alice).split("is active until").length - 1,
      1,
      "the requester is told once",
    );
  }, {
    env: REAL_SETTLE,
    slack: { methodLatencyMs: { "apps.datastore.get": 1000 } },
  });
});
