/**
 * Escalation instead of silence (`escalateAfterSeconds`), end to end
 * through the emulators with the clock moved: the approver's reminders
 * back off, the request is offered to every other eligible approver and
 * posted to the notify channel when nobody has decided, an escalated
 * approver decides under the normal rules, and nothing more happens once
 * it is decided.
 */
import type { TestApp } from "../dev/app.ts";
import type { ConfigInput } from "../lib/config_schema.ts";
import { assert, assertEquals, assertIncludes } from "./assert.ts";
import {
  ALICE_ASKS_BOB,
  approve,
  attributeWrites,
  newestPrompt,
  PEOPLE,
  records,
  requestPending,
  textIn,
  withApp,
} from "./flow_helpers.ts";

const { alice, bob, carol, dave } = PEOPLE;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const CHANNEL = "C0NOTIFY01";

/** Production: Bob, Carol or Dave; escalated after 30 min, expires at 6 h. */
const ESCALATING: ConfigInput["profiles"] = [{
  description: "Production",
  attribute: "custom:prodAccess",
  maxSeconds: 8 * 3600,
  approverEmails: ["bob@example.com", "carol@example.com", "dave@example.com"],
  notifyChannel: CHANNEL,
  requestTimeoutSeconds: 6 * 3600,
  escalateAfterSeconds: 30 * 60,
}];

const scheduled = (app: TestApp) =>
  [...app.slack.triggers.values()].filter((t) => t.type === "scheduled");

/** Bob's reminders (in the request's thread). */
const nudges = (app: TestApp) =>
  app.slack.messagesIn(bob).filter((m) =>
    (m.text ?? "").startsWith("Reminder")
  );

/** Who has a prompt with an Approve button. */
const prompted = (app: TestApp, user: string) =>
  app.slack.messagesIn(user).filter((m) =>
    JSON.stringify(m.blocks ?? []).includes('"text":"Approve"')
  ).length;

const escalations = (app: TestApp) =>
  app.slack.messagesIn(CHANNEL).filter((m) =>
    (m.text ?? "").startsWith("No decision after")
  );

Deno.test("escalation: reminders back off, others are offered it with the channel told, and it all stops at the decision", async () => {
  await withApp({ profiles: ESCALATING }, async (app) => {
    const { prompt } = await requestPending(app, ALICE_ASKS_BOB);
    assertEquals(
      scheduled(app).length,
      5,
      "reminders at 15 min, 1 h, 4 h, the escalation, the timeout",
    );
    await app.platform.advanceClock(16 * MINUTE);
    assertEquals(nudges(app).length, 1, "the first reminder at 15 min");
    assertEquals(nudges(app)[0].thread_ts, prompt.ts);
    assertEquals([prompted(app, carol), prompted(app, dave)], [0, 0]);
    assertEquals(escalations(app).length, 0);
    await app.platform.advanceClock(15 * MINUTE);
    assertEquals(nudges(app).length, 1, "no reminder between 15 min and 1 h");
    assertEquals(
      [prompted(app, carol), prompted(app, dave)],
      [1, 1],
      "offered to every other approver at 30 min",
    );
    assertEquals(escalations(app).length, 1);
    assertIncludes(
      textIn(app, CHANNEL),
      `No decision after 30 minutes on <@${alice}>'s request for access to *Production*: any of <@${bob}>, <@${carol}> or <@${dave}> can decide.`,
    );
    assertEquals(records(app)[0].prompts?.length, 3, "every prompt recorded");
    await app.platform.advanceClock(30 * MINUTE);
    assertEquals(nudges(app).length, 2, "the second reminder at 1 h");
    // An escalated approver decides under the normal rules.
    const carols = newestPrompt(app, carol);
    await approve(app, carol, carols);
    const [record] = records(app);
    assertEquals([record.state, record.decided_by], ["granted", carol]);
    assertEquals(attributeWrites(app).length, 1);
    for (const who of [bob, carol, dave]) {
      const shown = JSON.stringify(
        app.slack.messagesIn(who).map((m) => m.blocks),
      );
      assertIncludes(shown, `Approved by <@${carol}>`);
      assert(!shown.includes('"text":"Approve"'), `${who}: no buttons left`);
    }
    assertIncludes(textIn(app, alice), `approved by <@${carol}>`);
    assertEquals(
      scheduled(app).length,
      2,
      "only the grant's reminder and expiry are left",
    );
    await app.platform.advanceClock(5 * HOUR);
    assertEquals(nudges(app).length, 2, "no reminder after the decision");
    assertEquals(escalations(app).length, 1, "no escalation after it");
    assertEquals(attributeWrites(app).length, 1);
  });
});

Deno.test("escalation: a request decided before its time is not escalated", async () => {
  await withApp({ profiles: ESCALATING }, async (app) => {
    const { prompt } = await requestPending(app, ALICE_ASKS_BOB);
    await approve(app, bob, prompt);
    assertEquals(records(app)[0].state, "granted");
    await app.platform.advanceClock(HOUR);
    assertEquals([prompted(app, carol), prompted(app, dave)], [0, 0]);
    assertEquals(escalations(app).length, 0);
    assertEquals(nudges(app).length, 0);
  });
});
