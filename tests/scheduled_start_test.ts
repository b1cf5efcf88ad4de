/**
 * Access that starts later, end to end through the emulators: the form's
 * optional start (Slack's datetimepicker), approval before the start, the
 * start trigger (fired by moving the emulator's clock) that checks again
 * and grants until start + duration, and cancel, extension and approval
 * after the start time.
 */
import type { TestApp } from "../dev/app.ts";
import type { ConfigInput } from "../lib/config_schema.ts";
import { START_PASSED, START_TOO_FAR } from "../lib/requests/start.ts";
import { assert, assertEquals, assertIncludes } from "./assert.ts";
import {
  ALICE_ASKS_BOB,
  ALICE_LAPTOP,
  approve,
  attributeWrites,
  fillRequest,
  LABEL,
  newestPrompt,
  PEOPLE,
  PROFILES,
  records,
  textIn,
  withApp,
} from "./flow_helpers.ts";

const { alice, bob } = PEOPLE;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START_LABEL = "Start later? (optional)";

/** Production grants up to 2 h, 3 h in all (room to extend). */
const LATER_PROFILES: ConfigInput["profiles"] = PROFILES.map((p) =>
  p.attribute === "custom:prodAccess"
    ? { ...p, maxSeconds: 2 * 3600, maxExtendedSeconds: 3 * 3600 }
    : p
);

function withLater(fn: (app: TestApp) => Promise<void>) {
  return withApp({ profiles: LATER_PROFILES }, fn);
}

const prodAttribute = (app: TestApp) =>
  app.tailscale.customAttributes(ALICE_LAPTOP).attributes["custom:prodAccess"];

const prodExpiry = (app: TestApp) =>
  Date.parse(
    app.tailscale.customAttributes(ALICE_LAPTOP).expiries["custom:prodAccess"],
  );

/** The record of request `id` as stored now. */
const recordOf = (app: TestApp, id: string) =>
  records(app).find((r) => r.id === id)!;

/** Unix seconds `inMs` from the emulator's now, as the picker sends them. */
const unixIn = (app: TestApp, inMs: number) =>
  Math.floor((app.slack.now() + inMs) / 1000);

/** Alice asks Bob for 1 hour of Production starting `inMs` from now. */
async function requestLater(app: TestApp, inMs: number) {
  await fillRequest(app, alice, ALICE_ASKS_BOB);
  const start = unixIn(app, inMs);
  app.platform.forge(alice, START_LABEL, { selected_date_time: start });
  const answer = await app.platform.submit(alice);
  assertEquals(answer, {}, "the form closed");
  const record = records(app).find((r) => r.requester === alice)!;
  return { record, startMs: start * 1000 };
}

/** Scheduled triggers of the lifecycle for `event`. */
function triggersFor(app: TestApp, event: string) {
  return [...app.slack.triggers.values()].filter((t) =>
    t.type === "scheduled" &&
    JSON.stringify(t.inputs ?? {}).includes(`"value":"${event}"`)
  );
}

Deno.test("approved before its start: nothing in Tailscale until the start, then granted until start + duration", async () => {
  await withLater(async (app) => {
    const { record, startMs } = await requestLater(app, 2 * HOUR);
    const startDate = `<!date^${startMs / 1000}^{date_short_pretty} at {time}|`;
    const prompt = newestPrompt(app);
    assertIncludes(JSON.stringify(prompt.blocks), `, starting ${startDate}`);
    assertIncludes(textIn(app, alice), `, starting ${startDate}`);
    await approve(app, bob, prompt);
    const approved = recordOf(app, record.id);
    assertEquals(approved.state, "scheduled");
    assertEquals(
      Date.parse(approved.planned_expiry!),
      startMs + HOUR,
      "the duration counts from the start",
    );
    assertEquals(triggersFor(app, "start").length, 1);
    assertEquals(prodAttribute(app), undefined);
    assertIncludes(textIn(app, alice), "is approved, starts later");
    assertIncludes(textIn(app, alice), `starts ${startDate}`);
    assertIncludes(textIn(app, bob), "Approved, starts later");
    // My access counts its hour from the start, not from now.
    await app.platform.startWorkflow("my_tailscale_access", alice);
    const mine = JSON.stringify(app.platform.openView(alice).view.blocks);
    assertIncludes(mine, "(1 hour from the start)");
    assertIncludes(mine, `*Starts ${startDate}`);
    // Just before the start: still nothing granted.
    await app.platform.advanceClock(2 * HOUR - 5 * MINUTE);
    // Its trigger delivered early (as a stray delivery could be) is moot.
    const [startTrigger] = triggersFor(app, "start");
    await app.platform.runTrigger(startTrigger);
    assertEquals(prodAttribute(app), undefined);
    assertEquals(recordOf(app, record.id).history.at(-1)?.event, "notified");
    assertEquals(triggersFor(app, "start").length, 1, "no second start");
    assertEquals(attributeWrites(app).length, 0);
    await app.platform.advanceClock(6 * MINUTE);
    const granted = recordOf(app, record.id);
    assertEquals(granted.state, "granted");
    assertEquals(prodAttribute(app), true);
    assertEquals(prodExpiry(app), startMs + HOUR, "ends at start + duration");
    assertIncludes(textIn(app, alice), "is active until");
    assertIncludes(textIn(app, "C0NOTIFY01"), "Production");
    // Delivered again after the start: it grants once.
    await app.platform.runTrigger(startTrigger);
    assertEquals(attributeWrites(app).length, 1);
    await app.platform.advanceClock(HOUR);
    assertEquals(recordOf(app, record.id).state, "expired");
    assertEquals(prodAttribute(app), undefined);
  });
});

Deno.test("at the start, an approver no longer allowed refuses it: nothing granted, both told", async () => {
  await withLater(async (app) => {
    const { record } = await requestLater(app, HOUR);
    await approve(app);
    assertEquals(recordOf(app, record.id).state, "scheduled");
    // Bob is taken off Production's approvers before the start.
    await app.setProfiles(
      LATER_PROFILES.map((p) =>
        p.attribute === "custom:prodAccess"
          ? { ...p, approverEmails: ["carol@example.com"] }
          : p
      ),
    );
    await app.platform.advanceClock(61 * MINUTE);
    const ended = recordOf(app, record.id);
    assertEquals(ended.state, "failed");
    assertEquals(prodAttribute(app), undefined);
    assertEquals(attributeWrites(app).length, 0);
    assertIncludes(textIn(app, alice), "did not start");
    assertIncludes(textIn(app, bob), "did not start");
    assertIncludes(ended.error ?? "", "cannot approve access to Production");
  });
});

Deno.test("cancelled before the start: its start trigger is gone and nothing is granted", async () => {
  await withLater(async (app) => {
    const { record } = await requestLater(app, HOUR);
    await approve(app);
    await app.platform.startWorkflow("my_tailscale_access", alice);
    const list = JSON.stringify(app.platform.openView(alice).view.blocks);
    assertIncludes(list, "*Starts <!date^");
    await app.platform.press(alice, "Cancel");
    const cancelled = recordOf(app, record.id);
    assertEquals(cancelled.state, "cancelled");
    assertEquals(triggersFor(app, "start").length, 0);
    assertIncludes(textIn(app, bob), "before it started");
    await app.platform.advanceClock(2 * HOUR);
    assertEquals(recordOf(app, record.id).state, "cancelled");
    assertEquals(prodAttribute(app), undefined);
    assertEquals(attributeWrites(app).length, 0);
  });
});

Deno.test("an extension of a grant that has not started moves its planned end", async () => {
  await withLater(async (app) => {
    const { record, startMs } = await requestLater(app, HOUR);
    await approve(app);
    await app.platform.startWorkflow("my_tailscale_access", alice);
    await app.platform.press(alice, "Extend…");
    await app.platform.choose(alice, "For how much longer?", "1 hour more");
    await app.platform.choose(alice, LABEL.approver, "*Bob Baker*");
    app.platform.type(alice, LABEL.reason, "The migration runs longer");
    await app.platform.submit(alice);
    const prompt = app.slack.messagesIn(bob).filter((m) =>
      JSON.stringify(m.blocks).includes("asks to *extend*")
    ).at(-1);
    assert(prompt, "the approver is asked");
    await approve(app, bob, prompt);
    const original = recordOf(app, record.id);
    assertEquals(original.state, "scheduled");
    assertEquals(Date.parse(original.planned_expiry!), startMs + 2 * HOUR);
    assertEquals(prodAttribute(app), undefined, "still not started");
    await app.platform.advanceClock(61 * MINUTE);
    assertEquals(recordOf(app, record.id).state, "granted");
    assertEquals(prodExpiry(app), startMs + 2 * HOUR);
  });
});

Deno.test("approved after its start time, it starts at approval with the full duration", async () => {
  await withLater(async (app) => {
    const { record } = await requestLater(app, 30 * MINUTE);
    await app.platform.advanceClock(40 * MINUTE);
    await approve(app);
    const granted = recordOf(app, record.id);
    assertEquals(granted.state, "granted");
    const expected = app.slack.now() + HOUR;
    assert(
      Math.abs(prodExpiry(app) - expected) < 5000,
      `expiry ${prodExpiry(app)} vs ${expected}`,
    );
    assertEquals(triggersFor(app, "start").length, 0);
  });
});

Deno.test("a start that has passed or is more than 7 days ahead is refused on the field", async () => {
  await withLater(async (app) => {
    await fillRequest(app, alice, ALICE_ASKS_BOB);
    app.platform.forge(alice, START_LABEL, {
      selected_date_time: unixIn(app, -HOUR),
    });
    const past = await app.platform.submit(alice);
    assertEquals(past.response_action, "errors");
    assertEquals(past.errors, { start: START_PASSED });
    app.platform.forge(alice, START_LABEL, {
      selected_date_time: unixIn(app, 8 * 24 * HOUR),
    });
    const far = await app.platform.submit(alice);
    assertEquals(far.errors, { start: START_TOO_FAR });
    assertEquals(records(app).length, 0, "nothing was recorded");
    // Within 7 days it goes through.
    app.platform.forge(alice, START_LABEL, {
      selected_date_time: unixIn(app, 6 * 24 * HOUR),
    });
    assertEquals(await app.platform.submit(alice), {});
  });
});

Deno.test("a request that starts later may be approved any time before its start, past the profile's request timeout", async () => {
  const profiles = LATER_PROFILES.map((p) =>
    p.attribute === "custom:prodAccess"
      ? { ...p, requestTimeoutSeconds: 3600 }
      : p
  );
  await withApp({ profiles }, async (app) => {
    // Starts in 3 hours; the profile's timeout is 1 hour.
    const { record, startMs } = await requestLater(app, 3 * HOUR);
    await app.platform.advanceClock(2 * HOUR);
    assertEquals(recordOf(app, record.id).state, "pending", "still waiting");
    await approve(app, bob, newestPrompt(app));
    assertEquals(recordOf(app, record.id).state, "scheduled");
    await app.platform.advanceClock(HOUR + MINUTE);
    assertEquals(recordOf(app, record.id).state, "granted");
    assertEquals(prodExpiry(app), startMs + HOUR);
  });
  await withApp({ profiles }, async (app) => {
    // Nobody decides: it expires at its start, not after 1 hour.
    const { record } = await requestLater(app, 3 * HOUR);
    await app.platform.advanceClock(2 * HOUR);
    assertEquals(recordOf(app, record.id).state, "pending");
    await app.platform.advanceClock(HOUR + MINUTE);
    assertEquals(recordOf(app, record.id).state, "expired");
    assertEquals(attributeWrites(app).length, 0);
  });
});
