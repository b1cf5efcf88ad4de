/**
 * Who may ask and who may approve, end to end through the emulators: a
 * profile's requester list (emails and user groups) hides it from everyone
 * else, refuses a forged submission and an extension, and is read again at
 * the click; guests, bots, app users and deactivated accounts neither ask
 * (unless `allowGuests`) nor approve; a suspended or unapproved Tailscale
 * account is refused at submission and again when the grant is written.
 */
import type { TestApp } from "../dev/app.ts";
import type { FakeSlackUser } from "../dev/emulator/slack/types.ts";
import { slackPeople } from "../dev/emulator/slack_people.ts";
import { groupMembers } from "../lib/policy/group_members.ts";
import type { ConfigInput } from "../lib/config_schema.ts";
import { assert, assertEquals, assertIncludes } from "./assert.ts";
import {
  ALICE_ASKS_BOB,
  approve,
  attributeWrites,
  type Filled,
  fillRequest,
  LABEL,
  newestPrompt,
  newestRecord,
  PEOPLE,
  records,
  requestGranted,
  requestPending,
  submitRequest,
  textIn,
  withApp,
} from "./flow_helpers.ts";

const { alice, bob, erin } = PEOPLE;
const GUS = "U0GUEST01";
const ROBO = "U0ROBOT01";
const REQUESTERS = "S0REQUEST1";

/** Gus, a guest; Robo, a bot; both with emails an admin might list. */
const EXTRA_PEOPLE: FakeSlackUser[] = [{
  id: GUS,
  name: "gus",
  real_name: "Gus Guest",
  email: "gus@example.com",
  tz: "Europe/Paris",
  tz_label: "Central European Time",
  tz_offset: 3600,
  is_restricted: true,
}, {
  id: ROBO,
  name: "robo",
  real_name: "Robo Bot",
  email: "robo@example.com",
  tz: "UTC",
  tz_label: "UTC",
  tz_offset: 0,
  is_bot: true,
}];

const USERGROUPS = [
  {
    id: "S0APPROVE1",
    handle: "prod-approvers",
    name: "Production approvers",
    users: [bob, PEOPLE.carol],
  },
  { id: REQUESTERS, handle: "oncall", name: "On call", users: [alice] },
];

/** Production for Alice only (by email), On-call for a group, Staging for all. */
const LISTED: ConfigInput["profiles"] = [{
  description: "Production",
  attribute: "custom:prodAccess",
  maxSeconds: 8 * 3600,
  maxExtendedSeconds: 16 * 3600,
  approverEmails: ["bob@example.com", "carol@example.com"],
  requesterEmails: ["alice@example.com"],
}, {
  description: "On-call",
  attribute: "custom:oncallAccess",
  approverEmails: ["bob@example.com"],
  requesterGroups: [REQUESTERS],
}, {
  description: "Staging",
  attribute: "custom:stagingAccess",
  canSelfApprove: true,
}];

function withPeople(
  profiles: ConfigInput["profiles"],
  fn: (app: TestApp) => Promise<void>,
  more: Parameters<typeof withApp>[0] = {},
) {
  return withApp({
    profiles,
    slack: {
      users: [...slackPeople(), ...EXTRA_PEOPLE],
      usergroups: USERGROUPS,
    },
    ...more,
  }, fn);
}

/** The profiles the form lists for the person whose form is open. */
function offeredProfiles(app: TestApp, userId: string): string[] {
  const { view } = app.platform.openView(userId);
  const block = view.blocks.find((b: { label?: { text: string } }) =>
    b.label?.text === LABEL.profile
  );
  return (block?.element.options ?? []).map((o: { text: { text: string } }) =>
    o.text.text
  );
}

/** The approvers the form offers for the person whose form is open. */
function offeredApprovers(app: TestApp, userId: string): string[] {
  const { view } = app.platform.openView(userId);
  const block = view.blocks.find((b: { label?: { text: string } }) =>
    b.label?.text === LABEL.approver
  );
  return block.element.options.map((o: { value: string }) => o.value);
}

const STAGING_SELF: Filled = {
  profile: "Staging",
  device: { query: "", option: "erin" },
  duration: "1 hour",
  reason: "look at staging",
};

Deno.test("a profile with a requester list is shown only to the people on it", async () => {
  await withPeople(LISTED, async (app) => {
    await app.platform.startWorkflow("request_tailscale_access", alice);
    assertEquals(offeredProfiles(app, alice), [
      "Production",
      "On-call",
      "Staging",
    ]);
    await app.platform.startWorkflow("request_tailscale_access", erin);
    assertEquals(offeredProfiles(app, erin), ["Staging"]);
    // The view Slack showed first never listed them either.
    const opened = app.slack.calls.filter((c) => c.method === "views.open");
    assertEquals(
      JSON.stringify(opened.map((c) => c.args)).includes("On-call"),
      false,
    );
  });
});

Deno.test("a forged submission for a profile never offered is refused on the profile field", async () => {
  await withPeople(LISTED, async (app) => {
    await fillRequest(app, erin, {
      ...STAGING_SELF,
      device: undefined,
      reason: "need prod",
    });
    app.platform.forge(erin, LABEL.profile, {
      selected_option: {
        text: { type: "plain_text", text: "Production" },
        value: "custom:prodAccess",
      },
    });
    const answer = await app.platform.submit(erin);
    assertEquals(answer.response_action, "errors", JSON.stringify(answer));
    assertIncludes(
      answer.errors.profile,
      "Only the people listed for Production may request it, and Erin Evans is not one of them",
    );
    assertEquals(app.slack.completions.length, 0, "nothing was requested");
  });
});

Deno.test("a requester taken out of the requester group before the click is refused then, and nothing is granted", async () => {
  await withPeople(LISTED, async (app) => {
    const { answer } = await submitRequest(app, {
      ...ALICE_ASKS_BOB,
      profile: "On-call",
    });
    assertEquals(answer, {});
    app.slack.setUsergroupMembers(REQUESTERS, []);
    await approve(app);
    const record = newestRecord(app);
    assertEquals(record.state, "failed");
    assertIncludes(record.error ?? "", "This request was refused");
    assertEquals(attributeWrites(app).length, 0, "nothing granted");
    assertIncludes(textIn(app, alice), "Alice Archer is not one of them");
    // Bob's prompt now says why, without buttons.
    const prompt = JSON.stringify(app.slack.messagesIn(bob).at(0));
    assertIncludes(prompt, "This request was refused");
    assert(!prompt.includes('"text":"Approve"'), "no buttons left");
  });
});

Deno.test("someone no longer on a profile's requester list cannot extend its grant", async () => {
  await withPeople(LISTED, async (app) => {
    await requestGranted(app, { ...ALICE_ASKS_BOB, profile: "On-call" });
    await app.platform.startWorkflow("my_tailscale_access", alice);
    await app.platform.press(alice, "Extend…");
    await app.platform.choose(alice, "For how much longer?", "1 hour more");
    await app.platform.choose(alice, LABEL.approver, "*Bob Baker*");
    app.platform.type(alice, LABEL.reason, "more time");
    // Taken off the list while the form was open: the submission says no.
    app.slack.setUsergroupMembers(REQUESTERS, []);
    const answer = await app.platform.submit(alice);
    assertEquals(answer.response_action, "errors", JSON.stringify(answer));
    assertIncludes(
      JSON.stringify(answer.errors),
      "Only the people listed for On-call may request it",
    );
    assertEquals(records(app).filter((r) => r.extends).length, 0);
    // Asking again: the list says why instead of opening the form.
    await app.platform.closeView(alice);
    await app.platform.startWorkflow("my_tailscale_access", alice);
    await app.platform.press(alice, "Extend…");
    assertIncludes(
      JSON.stringify(app.platform.openView(alice).view.blocks),
      "Only the people listed for On-call may request it",
    );
  });
});

Deno.test("a guest is refused unless the profile allows guests", async () => {
  const guestsToo = [...LISTED, {
    description: "Docs",
    attribute: "custom:docsAccess",
    canSelfApprove: true,
    approverEmails: ["bob@example.com", "gus@example.com"],
    allowAnyDevice: true,
    allowGuests: true,
  }];
  await withPeople(LISTED, async (app) => {
    await app.platform.startWorkflow("request_tailscale_access", GUS);
    const { view } = app.platform.openView(GUS);
    assertIncludes(
      JSON.stringify(view.blocks),
      "Guest accounts cannot request access with this app.",
    );
    assertEquals(view.submit, undefined, "nothing to send");
  });
  await withPeople(guestsToo, async (app) => {
    await fillRequest(app, GUS, {
      profile: "Docs",
      device: { query: "", option: "alice-laptop" },
      duration: "1 hour",
      approver: "*Bob Baker*",
      reason: "read the docs",
    });
    assertEquals(offeredProfiles(app, GUS), ["Docs"]);
    // Not even a guest who may ask approves: Bob is the only choice.
    assertEquals(offeredApprovers(app, GUS), [bob]);
    // Staging is open to every member, not to guests: a forged pick fails.
    app.platform.forge(GUS, LABEL.profile, {
      selected_option: {
        text: { type: "plain_text", text: "Staging" },
        value: "custom:stagingAccess",
      },
    });
    const refused = await app.platform.submit(GUS);
    assertEquals(
      refused.errors?.profile,
      "Guest accounts cannot request Staging access.",
    );
    app.platform.forge(GUS, LABEL.profile, {
      selected_option: {
        text: { type: "plain_text", text: "Docs" },
        value: "custom:docsAccess",
      },
    });
    assertEquals(await app.platform.submit(GUS), {}, "the guest may ask");
    await approve(app);
    assertEquals(newestRecord(app, GUS).state, "granted");
  });
});

Deno.test("guests, bots and deactivated accounts are not offered as approvers and are refused if forged", async () => {
  const profiles = [{
    description: "Production",
    attribute: "custom:prodAccess",
    approverEmails: [
      "bob@example.com",
      "gus@example.com",
      "robo@example.com",
      "gone@example.com",
    ],
  }, {
    description: "Picker",
    attribute: "custom:pickerAccess",
  }];
  await withPeople(profiles, async (app) => {
    await fillRequest(app, alice, ALICE_ASKS_BOB);
    assertEquals(offeredApprovers(app, alice), [bob]);
    const cases: [string, string][] = [
      [GUS, "Gus Guest is a guest account, and only full members"],
      [ROBO, "Robo Bot is a bot"],
      [PEOPLE.gone, "Gary Gone has a deactivated Slack account"],
    ];
    for (const [forged, said] of cases) {
      app.platform.forge(alice, LABEL.approver, {
        selected_option: {
          text: { type: "mrkdwn", text: "x" },
          value: forged,
        },
      });
      const answer = await app.platform.submit(alice);
      assertIncludes(answer.errors?.[`approver:custom:prodAccess`], said);
    }
    // A user picker is no way round it either.
    await app.platform.choose(alice, LABEL.profile, "Picker");
    app.platform.chooseUser(alice, LABEL.approver, GUS);
    const picked = await app.platform.submit(alice);
    assertIncludes(
      JSON.stringify(picked.errors),
      "Gus Guest is a guest account",
    );
    assertEquals(app.slack.completions.length, 0, "nothing was requested");
  });
});

Deno.test("an approver who became a guest cannot decide at the click", async () => {
  await withPeople(LISTED, async (app) => {
    const { prompt } = await requestPending(app);
    const bobNow = slackPeople().find((u) => u.id === bob)!;
    app.slack.addUser({ ...bobNow, is_restricted: true });
    await approve(app, bob, prompt);
    assertEquals(newestRecord(app).state, "pending", "still undecided");
    assertEquals(attributeWrites(app).length, 0);
    assertIncludes(textIn(app, bob), "Bob Baker is a guest account");
  });
});

const GROUP_PROFILE: ConfigInput["profiles"] = [{
  description: "Prod group",
  group: "group:prod",
  maxSeconds: 2 * 3600,
  approverEmails: ["bob@example.com"],
}];
const GROUP_ASK: Filled = {
  profile: "Prod group",
  duration: "1 hour",
  approver: "*Bob Baker*",
  reason: "INC-7 fix the deploy",
};
const GROUP_SCOPES = [
  "devices:core:read",
  "devices:posture_attributes",
  "policy_file",
  "users:read",
];

Deno.test("a suspended or unapproved Tailscale account is refused at submission, status named", async () => {
  await withPeople(GROUP_PROFILE, async (app) => {
    for (
      const [status, said] of [
        ["suspended", "is suspended; a tailnet admin must restore it"],
        [
          "needs-approval",
          "needs approval (status needs-approval); a tailnet admin must approve it",
        ],
      ] as const
    ) {
      app.tailscale.setUser({ loginName: "alice@example.com", status });
      const { answer } = await submitRequest(app, GROUP_ASK);
      assertEquals(answer.response_action, "errors");
      assertIncludes(
        answer.errors.profile,
        `Your Tailscale account \`alice@example.com\` ${said} before it can be added to \`group:prod\`.`,
      );
      await app.platform.closeView(alice);
    }
    assertEquals(app.slack.callsTo("chat.postMessage").length, 0);
  }, { tailscale: { scopes: GROUP_SCOPES } });
});

Deno.test("an account suspended after the request is refused when the grant is written, and nothing is added", async () => {
  await withPeople(GROUP_PROFILE, async (app) => {
    const before = app.tailscale.policyText();
    await submitRequest(app, GROUP_ASK);
    app.tailscale.setUser({
      loginName: "alice@example.com",
      status: "suspended",
    });
    await approve(app, bob, newestPrompt(app));
    const record = newestRecord(app);
    assertEquals(record.state, "failed");
    assertIncludes(
      record.error ?? "",
      "The Tailscale account `alice@example.com` is suspended",
    );
    assertEquals(app.tailscale.policyText(), before, "policy untouched");
    assertEquals(groupMembers(before, "group:prod"), ["carol@example.com"]);
    assertIncludes(textIn(app, alice), "is suspended");
  }, { tailscale: { scopes: GROUP_SCOPES } });
});
