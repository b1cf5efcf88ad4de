/**
 * Break-glass (a profile's `breakGlass`), end to end through the
 * emulators: the form's emergency choice and its rules, the grant at once
 * without an approver, the loud announcement (channel mentions, approver
 * DMs with Acknowledge and Revoke), who may acknowledge or revoke, My
 * access, and the notice when an unacknowledged grant ends.
 */
import type { TestApp } from "../dev/app.ts";
import type { ConfigInput } from "../lib/config_schema.ts";
import { assert, assertEquals, assertIncludes } from "./assert.ts";
import {
  ALICE_LAPTOP,
  attributeWrites,
  type Filled,
  fillRequest,
  LABEL,
  lastDecision,
  messageWithButton,
  PEOPLE,
  records,
  repliesTo,
  textIn,
  withApp,
} from "./flow_helpers.ts";

const { alice, bob, carol, dave, erin } = PEOPLE;
const CHANNEL = "C0NOTIFY01";
const EMERGENCY = "How should it be granted?";
const MINUTE = 60_000;

/** Production offers break-glass for at most 1 hour; Staging none. */
const PROFILES: ConfigInput["profiles"] = [
  {
    description: "Production",
    attribute: "custom:prodAccess",
    maxSeconds: 8 * 3600,
    approverEmails: ["bob@example.com"],
    // S0APPROVE1 is Bob and Carol.
    approverGroups: ["S0APPROVE1"],
    notifyChannel: CHANNEL,
    breakGlass: { maxSeconds: 3600 },
  },
  {
    description: "Staging",
    attribute: "custom:stagingAccess",
    approverEmails: ["bob@example.com"],
    notifyChannel: CHANNEL,
  },
];

const URGENT: Filled = {
  profile: "Production",
  device: { query: "", option: "alice-laptop" },
  duration: "1 hour",
  reason: "INC-7: payments down, need logs now",
};

function withGlass(fn: (app: TestApp) => Promise<void>) {
  return withApp({ profiles: PROFILES, admins: ["dave@example.com"] }, fn);
}

/** Alice fills in `filled`, chooses "Emergency: grant now", and submits. */
async function emergency(app: TestApp, filled: Filled = URGENT) {
  const run = await fillRequest(app, alice, filled);
  await app.platform.choose(alice, EMERGENCY, "Emergency: grant now");
  return { run, answer: await app.platform.submit(alice) };
}

/** Alice's emergency grant, made; returns its record. */
async function granted(app: TestApp) {
  const { answer } = await emergency(app);
  assertEquals(answer, {}, "the form closes without errors");
  const [record] = records(app);
  assertEquals(record.state, "granted");
  return record;
}

/** The approver's DM with Acknowledge and Revoke. */
const reviewDm = (app: TestApp, who: string) =>
  messageWithButton(app, who, "Acknowledge");

const prodAttribute = (app: TestApp) =>
  app.tailscale.customAttributes(ALICE_LAPTOP);

function viewText(app: TestApp, user: string): string {
  return JSON.stringify(app.platform.openView(user).view.blocks);
}

Deno.test("break-glass: the form offers the emergency choice only on a breakGlass profile", async () => {
  await withGlass(async (app) => {
    await app.platform.startWorkflow("request_tailscale_access", alice);
    await app.platform.choose(alice, LABEL.profile, "Production");
    const prod = viewText(app, alice);
    assertIncludes(prod, EMERGENCY);
    assertIncludes(prod, "Emergency: grant now");
    assertIncludes(prod, "at most 1 hour");
    await app.platform.choose(alice, LABEL.profile, "Staging");
    assert(!viewText(app, alice).includes("Emergency"), "not on Staging");
    assertEquals(app.slack.blockKitViolations, []);
  });
});

Deno.test("break-glass: a short reason and a duration beyond maxSeconds are refused on their fields", async () => {
  await withGlass(async (app) => {
    const { answer } = await emergency(app, {
      ...URGENT,
      duration: "2 hours",
      reason: "outage",
    });
    assertEquals(answer.response_action, "errors");
    const errors = answer.errors as Record<string, string>;
    const on = (field: string) =>
      Object.entries(errors).find(([block]) => block.startsWith(field))?.[1];
    assertIncludes(on("reason") ?? "", "at least 20 characters");
    assertIncludes(on("duration") ?? "", "at most 1 hour");
    assertEquals(on("approver"), undefined, "no approver is needed");
    assertEquals(attributeWrites(app).length, 0);
    assertEquals(records(app).length, 0);
  });
});

Deno.test("break-glass: granted at once without an approver, and announced loudly", async () => {
  await withGlass(async (app) => {
    const before = Date.now();
    const { run, answer } = await emergency(app);
    assertEquals(answer, {});
    const writes = attributeWrites(app);
    assertEquals(writes.length, 1);
    const body = writes[0].body as { expiry: string; comment: string };
    assert(
      Date.parse(body.expiry) <= Date.now() + 3600_000,
      `expiry ${body.expiry} within maxSeconds`,
    );
    assert(Date.parse(body.expiry) >= before + 3600_000 - 1000);
    assertIncludes(body.comment, "EMERGENCY (break-glass)");
    assertEquals(prodAttribute(app).attributes["custom:prodAccess"], true);
    assertEquals(
      prodAttribute(app).expiries["custom:prodAccess"],
      body.expiry,
    );
    assertEquals(run.executions[1].outputs?.outcome, "granted");
    // Nobody was asked to approve.
    for (const who of [alice, bob, carol]) {
      assert(
        !textIn(app, who).includes('"text":"Approve"'),
        `no approval prompt for ${who}`,
      );
    }
    const [record] = records(app);
    assertEquals(record.break_glass, true);
    assertEquals(record.approver, alice);
    const events = record.history.map((h) => `${h.event}:${h.actor}`);
    assertIncludes(events.join(" "), `break_glass_requested:${alice}`);
    assertIncludes(events.join(" "), `break_glass_granted:${alice}`);
    // The channel mentions the approvers: Bob by email, the group as a group.
    const channel = textIn(app, CHANNEL);
    assertIncludes(channel, "Emergency access (break-glass)");
    assertIncludes(channel, `<@${bob}>`);
    assertIncludes(channel, "<!subteam^S0APPROVE1>");
    assertIncludes(channel, "INC-7: payments down");
    // Nobody is said to have approved it, the requester included.
    assertIncludes(channel, "without an approver");
    for (const text of [channel, textIn(app, alice)]) {
      assert(
        !/self-approved/i.test(text),
        "an emergency is not a self-approval",
      );
    }
    // Each approver gets Acknowledge and Revoke; the requester does not.
    for (const who of [bob, carol]) {
      const dm = JSON.stringify(reviewDm(app, who).blocks);
      assertIncludes(dm, '"text":"Revoke"');
      assertIncludes(dm, "workflow_button");
    }
    assert(!textIn(app, alice).includes('"Acknowledge"'), "not to Alice");
    assertIncludes(textIn(app, alice), "emergency access");
    const scheduled = [...app.slack.triggers.values()]
      .filter((t) => t.type === "scheduled");
    assertEquals(scheduled.length, 2, "reminder and expiry");
    assertEquals(app.slack.blockKitViolations, []);
  });
});

Deno.test("break-glass: an approver acknowledges; My access shows it; others may not", async () => {
  await withGlass(async (app) => {
    const record = await granted(app);
    const dm = reviewDm(app, bob);
    // Neither someone who is not an approver nor the requester may.
    await app.platform.clickWorkflowButton(erin, dm, "Acknowledge");
    assertIncludes(repliesTo(app, erin), "Only the approvers of Production");
    await app.platform.clickWorkflowButton(alice, dm, "Acknowledge");
    assertIncludes(repliesTo(app, alice), "Only the approvers of Production");
    assertEquals(records(app)[0].acknowledged_by, undefined);

    await app.platform.clickWorkflowButton(bob, dm, "Acknowledge");
    assertEquals(lastDecision(app).outcome, "acknowledged");
    const after = records(app).find((r) => r.id === record.id)!;
    assertEquals(after.acknowledged_by, bob);
    assert(Date.parse(after.acknowledged_at ?? "") > 0);
    assert(
      after.history.some((h) => h.event === "acknowledged" && h.actor === bob),
    );
    assertIncludes(textIn(app, CHANNEL), `<@${bob}> acknowledged`);
    // A second acknowledgement says who was first.
    await app.platform.clickWorkflowButton(
      carol,
      reviewDm(app, carol),
      "Acknowledge",
    );
    assertIncludes(repliesTo(app, carol), `<@${bob}> already acknowledged`);

    await app.platform.startWorkflow("my_tailscale_access", alice);
    const text = viewText(app, alice);
    assertIncludes(text, "Emergency access");
    assertIncludes(text, `acknowledged by <@${bob}>`);
  });
});

Deno.test("break-glass: an approver revokes it; someone else cannot", async () => {
  await withGlass(async (app) => {
    const record = await granted(app);
    await app.platform.clickWorkflowButton(erin, reviewDm(app, bob), "Revoke");
    assertIncludes(repliesTo(app, erin), "Only the approvers of Production");
    assertEquals(prodAttribute(app).attributes["custom:prodAccess"], true);

    await app.platform.clickWorkflowButton(
      carol,
      reviewDm(app, carol),
      "Revoke",
    );
    assertEquals(lastDecision(app).outcome, "revoked");
    assertEquals(prodAttribute(app).attributes["custom:prodAccess"], undefined);
    const after = records(app).find((r) => r.id === record.id)!;
    assertEquals([after.state, after.ended_by], ["revoked", carol]);
    assert(
      after.history.some((h) => h.event === "revoked" && h.actor === carol),
    );
    assertIncludes(textIn(app, alice), `was revoked by <@${carol}>`);
    assertIncludes(repliesTo(app, carol), "Revoked");
    // Too late for anyone else.
    await app.platform.clickWorkflowButton(
      bob,
      reviewDm(app, bob),
      "Acknowledge",
    );
    assertIncludes(repliesTo(app, bob), `already revoked by <@${carol}>`);
  });
});

Deno.test("break-glass: an admin may revoke on a profile's emergency grant", async () => {
  await withGlass(async (app) => {
    await granted(app);
    await app.platform.clickWorkflowButton(dave, reviewDm(app, bob), "Revoke");
    assertEquals(records(app)[0].state, "revoked");
    assertEquals(records(app)[0].ended_by, dave);
  });
});

Deno.test("break-glass: an unacknowledged grant is listed in the channel again when it ends", async () => {
  await withGlass(async (app) => {
    await granted(app);
    await app.platform.advanceClock(61 * MINUTE);
    assertEquals(records(app)[0].state, "expired");
    const channel = textIn(app, CHANNEL);
    assertIncludes(channel, "Unacknowledged emergency access");
    assertIncludes(channel, "INC-7: payments down");
    // Nobody is said to have approved it, the requester included.
    assertIncludes(channel, "without an approver");
    for (const text of [channel, textIn(app, alice)]) {
      assert(
        !/self-approved/i.test(text),
        "an emergency is not a self-approval",
      );
    }
  });
});

Deno.test("break-glass: an acknowledged grant is not listed again when it ends", async () => {
  await withGlass(async (app) => {
    await granted(app);
    await app.platform.clickWorkflowButton(
      bob,
      reviewDm(app, bob),
      "Acknowledge",
    );
    await app.platform.advanceClock(61 * MINUTE);
    assertEquals(records(app)[0].state, "expired");
    const channel = textIn(app, CHANNEL);
    assertIncludes(channel, "ended");
    assert(!channel.includes("Unacknowledged"), "not listed again");
  });
});
