/**
 * Time-bound group membership, end to end through the emulators: a group
 * profile adds the requester's Tailscale login to a policy-file group for
 * exactly the approved time, and every way the membership could stay behind
 * is covered: the expiry trigger, a lost trigger, a failed removal, a
 * decision that died after its write, revoke, extension, a second grant of
 * the same group, and a member who was there before the grant.
 */
import type { TestApp } from "../dev/app.ts";
import { DEMO_POLICY } from "../dev/emulator/tailscale.ts";
import type { ConfigInput } from "../lib/config_schema.ts";
import { groupMembers } from "../lib/policy/group_members.ts";
import type { RequestRecord } from "../lib/requests/store.ts";
import { assert, assertEquals, assertIncludes } from "./assert.ts";
import {
  approve,
  type Filled,
  messageWithButton,
  newestRecord,
  PEOPLE,
  PROFILES,
  records,
  requestApproved,
  submitRequest,
  textIn,
  withApp,
} from "./flow_helpers.ts";
import { WORKFLOWS } from "../lib/context.ts";

const { alice, bob, carol, dave, erin } = PEOPLE;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const CHANNEL = "C0NOTIFY01";
const SCOPES = [
  "devices:core:read",
  "devices:posture_attributes",
  "policy_file",
  "users:read",
];

/** A group profile next to the attribute ones. */
const GROUP_PROFILE = {
  description: "Prod group",
  group: "group:prod",
  maxSeconds: 2 * 3600,
  maxExtendedSeconds: 3 * 3600,
  approverEmails: ["bob@example.com", "carol@example.com"],
  notifyChannel: CHANNEL,
};
const GROUP_PROFILES: ConfigInput["profiles"] = [...PROFILES, GROUP_PROFILE];

type Options = {
  profiles?: ConfigInput["profiles"];
  tailscaleLogins?: Record<string, string>;
  users?: string[];
  scopes?: string[];
};

function withGroups(opts: Options, fn: (app: TestApp) => Promise<void>) {
  return withApp({
    profiles: opts.profiles ?? GROUP_PROFILES,
    admins: ["dave@example.com"],
    ...(opts.tailscaleLogins ? { tailscaleLogins: opts.tailscaleLogins } : {}),
    tailscale: { scopes: opts.scopes ?? SCOPES, users: opts.users ?? [] },
  }, fn);
}

const ASK: Filled = {
  profile: "Prod group",
  duration: "1 hour",
  approver: "*Bob Baker*",
  reason: "INC-7 fix the payments deploy",
};

const members = (app: TestApp) =>
  groupMembers(app.tailscale.policyText(), "group:prod");

const policyWrites = (app: TestApp) =>
  app.tailscale.callsTo("POST", /\/acl$/).length;

const reconcileTriggers = (app: TestApp) =>
  [...app.slack.triggers.values()].filter((t) =>
    (t.workflow as { callback_id?: string } | undefined)?.callback_id ===
      WORKFLOWS.reconcile
  );

/** Deletes a record's scheduled trigger, as if Slack had lost it. */
function loseTrigger(app: TestApp, r: RequestRecord, event: string) {
  const entry = r.schedule?.find((e) => e.startsWith(`${event}:`));
  assert(entry, `${event} trigger on the record`);
  assert(app.slack.triggers.delete(entry.split(":")[1]), "trigger existed");
}

Deno.test("a group grant adds the login for exactly the approved time, then removes it byte-for-byte", async () => {
  await withGroups({}, async (app) => {
    await submitRequest(app, ASK);
    const prompt = JSON.stringify(messageWithButton(app, bob, "Approve"));
    assertIncludes(prompt, "*Group*\\n`group:prod`");
    assertIncludes(prompt, "*Tailscale login added*\\n`alice@example.com`");
    assertEquals(policyWrites(app), 0, "nothing written before approval");
    await approve(app);
    assertEquals(members(app), ["carol@example.com", "alice@example.com"]);
    const granted = newestRecord(app);
    assertEquals(granted.state, "granted");
    assertEquals(granted.membership, "added");
    assertEquals(granted.login, "alice@example.com");
    // Only the group's array changed; every other byte is as it was.
    assertEquals(
      app.tailscale.policyText(),
      DEMO_POLICY.replace(
        `"group:prod": ["carol@example.com"]`,
        `"group:prod": ["carol@example.com", "alice@example.com"]`,
      ),
    );
    // Validated before it was written, and written with If-Match.
    assertEquals(app.tailscale.callsTo("POST", /\/acl\/validate$/).length, 1);
    assertIncludes(
      textIn(app, alice),
      "in `group:prod` as `alice@example.com`",
    );
    // Removal does not hang on one trigger: the 15-minute check exists.
    assertEquals(reconcileTriggers(app).length, 4);
    // An hour from the decision, exactly.
    assertEquals(
      Date.parse(granted.expires_at!) - Date.parse(granted.decided_at!),
      HOUR,
    );

    await app.platform.advanceClock(HOUR - 2 * MINUTE);
    assertEquals(members(app), ["carol@example.com", "alice@example.com"]);
    await app.platform.advanceClock(2 * MINUTE);
    assertEquals(members(app), ["carol@example.com"]);
    assertEquals(app.tailscale.policyText(), DEMO_POLICY);
    const ended = newestRecord(app);
    assertEquals(ended.state, "expired");
    assertEquals(ended.membership, "removed");
    assertIncludes(
      textIn(app, CHANNEL),
      "`alice@example.com` was removed from `group:prod`",
    );
    assertEquals(app.slack.blockKitViolations, []);
  });
});

Deno.test("a member before the grant is not duplicated, and stays at expiry and on revoke", async () => {
  await withGroups({}, async (app) => {
    // Carol is already in group:prod; Bob approves her request.
    const { record: granted } = await requestApproved(app, ASK, {
      requester: carol,
    });
    assertEquals(granted.state, "granted");
    assertEquals(granted.membership, "present");
    assertEquals(members(app), ["carol@example.com"]);
    assertEquals(policyWrites(app), 0);
    assertIncludes(
      textIn(app, carol),
      "was already a member of `group:prod` before this grant",
    );
    await app.platform.advanceClock(HOUR + 20 * MINUTE);
    assertEquals(newestRecord(app, carol).state, "expired");
    assertEquals(members(app), ["carol@example.com"]);
    assertEquals(app.tailscale.policyText(), DEMO_POLICY);
    assertEquals(policyWrites(app), 0);
    assertIncludes(textIn(app, carol), "stays in `group:prod`");
  });
  await withGroups({}, async (app) => {
    await requestApproved(app, ASK, { requester: carol });
    await app.platform.startWorkflow("my_tailscale_access", carol);
    await app.platform.press(carol, "Revoke");
    assertEquals(newestRecord(app, carol).state, "revoked");
    assertEquals(app.tailscale.policyText(), DEMO_POLICY);
    assertEquals(policyWrites(app), 0);
    assertIncludes(textIn(app, carol), "stays in `group:prod`");
  });
});

Deno.test("a lost expiry trigger is repaired by the 15-minute check, which reports it", async () => {
  await withGroups({}, async (app) => {
    await requestApproved(app, ASK);
    loseTrigger(app, newestRecord(app), "expiry");
    await app.platform.advanceClock(HOUR);
    assertEquals(members(app), ["carol@example.com", "alice@example.com"]);
    // The next quarter-hour check (plus its grace) takes her out.
    await app.platform.advanceClock(17 * MINUTE);
    assertEquals(members(app), ["carol@example.com"]);
    assertEquals(app.tailscale.policyText(), DEMO_POLICY);
    assertEquals(newestRecord(app).state, "expired");
    const channel = textIn(app, CHANNEL);
    assertIncludes(channel, "Scheduled access check");
    assertIncludes(channel, "removed `alice@example.com` from `group:prod`");
  });
});

Deno.test("a failed removal keeps the grant open, warns once, and the check retries until it works", async () => {
  await withGroups({}, async (app) => {
    await requestApproved(app, ASK);
    // The OAuth client loses policy_file before the end.
    app.tailscale.setScopes(SCOPES.filter((s) => s !== "policy_file"));
    await app.platform.advanceClock(HOUR + 20 * MINUTE);
    assertEquals(members(app), ["carol@example.com", "alice@example.com"]);
    const open = newestRecord(app);
    assertEquals(open.state, "granted", "not claimed as ended");
    assertEquals(open.membership, "added");
    const warnings = app.slack.messagesIn(CHANNEL).filter((m) =>
      m.text?.includes("could not be removed")
    ).length;
    assertEquals(warnings, 1, "warned once, not on every retry");
    assertIncludes(textIn(app, CHANNEL), "policy_file");
    app.tailscale.setScopes(SCOPES);
    await app.platform.advanceClock(15 * MINUTE);
    assertEquals(members(app), ["carol@example.com"]);
    assertEquals(newestRecord(app).state, "expired");
    assertEquals(newestRecord(app).membership, "removed");
  });
});

Deno.test("an admin's policy edit in between is kept, and a login removed by hand is reported, not re-removed", async () => {
  await withGroups({}, async (app) => {
    await requestApproved(app, ASK);
    // An admin edits comments and rules elsewhere while the grant runs.
    const edited = app.tailscale.policyText().replace(
      "/* Production is reached through group:prod. */",
      '/* Production is reached through group:prod (reviewed). */\n  "tagOwners": {"tag:prod": ["group:eng"]},',
    );
    assert(edited !== app.tailscale.policyText(), "the edit applies");
    app.tailscale.setPolicyOutside(edited);
    await app.platform.advanceClock(HOUR);
    assertEquals(
      app.tailscale.policyText(),
      edited.replace(', "alice@example.com"]', "]"),
      "only alice's entry went",
    );
  });
  await withGroups({}, async (app) => {
    await requestApproved(app, ASK);
    app.tailscale.setPolicyOutside(DEMO_POLICY);
    const writes = policyWrites(app);
    await app.platform.advanceClock(HOUR);
    assertEquals(policyWrites(app), writes, "nothing to write");
    assertEquals(newestRecord(app).state, "expired");
    assertIncludes(
      textIn(app, CHANNEL),
      "was no longer in `group:prod` (removed outside this app)",
    );
  });
});

Deno.test("revoking a group grant removes the login at once", async () => {
  await withGroups({}, async (app) => {
    await requestApproved(app, ASK);
    await app.platform.startWorkflow("my_tailscale_access", alice);
    const list = JSON.stringify(app.platform.openView(alice).view.blocks);
    assertIncludes(list, "group:prod (alice@example.com)");
    await app.platform.press(alice, "Revoke");
    assertEquals(members(app), ["carol@example.com"]);
    assertEquals(app.tailscale.policyText(), DEMO_POLICY);
    const ended = newestRecord(app);
    assertEquals(ended.state, "revoked");
    assertEquals(ended.membership, "removed");
    assertIncludes(textIn(app, bob), "was revoked by");
    // Nothing is left to fire.
    await app.platform.advanceClock(2 * HOUR);
    assertEquals(members(app), ["carol@example.com"]);
  });
});

Deno.test("an extension moves the removal to the new end; one removed outside cannot be extended", async () => {
  await withGroups({}, async (app) => {
    const { record: first } = await requestApproved(app, ASK);
    await app.platform.startWorkflow("my_tailscale_access", alice);
    await app.platform.press(alice, "Extend…");
    await app.platform.choose(alice, "For how much longer?", "1 hour more");
    await app.platform.choose(alice, "Who should approve?", "*Bob Baker*");
    app.platform.type(alice, "Why do you need it?", "deploy is slow");
    await app.platform.submit(alice);
    await approve(app);
    const extended = records(app).find((r) => r.id === first.id)!;
    assertEquals(
      Date.parse(extended.expires_at!) - Date.parse(first.expires_at!),
      HOUR,
    );
    await app.platform.advanceClock(HOUR + 5 * MINUTE);
    assertEquals(members(app), ["carol@example.com", "alice@example.com"]);
    await app.platform.advanceClock(HOUR);
    assertEquals(members(app), ["carol@example.com"]);
  });
  await withGroups({}, async (app) => {
    await requestApproved(app, ASK);
    app.tailscale.setPolicyOutside(DEMO_POLICY);
    await app.platform.startWorkflow("my_tailscale_access", alice);
    assertIncludes(
      JSON.stringify(app.platform.openView(alice).view.blocks),
      "Removed outside this app",
    );
    await app.platform.press(alice, "Extend…");
    await app.platform.choose(alice, "For how much longer?", "1 hour more");
    await app.platform.choose(alice, "Who should approve?", "*Bob Baker*");
    app.platform.type(alice, "Why do you need it?", "more time");
    await app.platform.submit(alice);
    await approve(app);
    const ext = records(app).find((r) => r.extends);
    assertEquals(ext?.state, "failed");
    assertIncludes(ext?.error ?? "", "is no longer in `group:prod`");
    assertEquals(members(app), ["carol@example.com"]);
  });
});

Deno.test("two grants of the same group: the first to end leaves the membership to the longer one", async () => {
  await withGroups({}, async (app) => {
    await requestApproved(app, ASK);
    await app.platform.advanceClock(30 * MINUTE);
    await requestApproved(app, { ...ASK, duration: "2 hours" });
    const [first, second] = records(app).sort((a, b) =>
      a.created_at.localeCompare(b.created_at)
    );
    assertEquals(first.membership, "added");
    assertEquals(second.membership, "present");
    // The first ends; the second still needs the membership.
    await app.platform.advanceClock(31 * MINUTE);
    assertEquals(members(app), ["carol@example.com", "alice@example.com"]);
    const after = records(app).find((r) => r.id === second.id)!;
    assertEquals(after.membership, "added", "the longer grant owns it now");
    await app.platform.advanceClock(HOUR + 30 * MINUTE);
    assertEquals(members(app), ["carol@example.com"]);
  });
});

Deno.test("a decision that died after its write is cleaned up by the check", async () => {
  await withGroups({}, async (app) => {
    await requestApproved(app, ASK);
    // Make it look like the decider wrote the file, then died before
    // recording the grant: approved, "adding", no triggers.
    const r = newestRecord(app);
    for (const t of r.schedule ?? []) {
      app.slack.triggers.delete(t.split(":")[1]);
    }
    app.slack.datastore("requests").set(r.id, {
      ...r,
      state: "approved",
      membership: "adding",
      schedule: [],
      notified: false,
      expires_at: undefined,
    } as unknown as Record<string, unknown>);
    // Still within the planned time: the check leaves it alone.
    await app.platform.advanceClock(30 * MINUTE);
    assertEquals(members(app), ["carol@example.com", "alice@example.com"]);
    await app.platform.advanceClock(50 * MINUTE);
    assertEquals(members(app), ["carol@example.com"]);
    assertEquals(newestRecord(app).membership, "removed");
  });
});

Deno.test("a group missing from the policy file is reported plainly, never created", async () => {
  const missing = GROUP_PROFILES.map((p) =>
    "group" in p ? { ...p, group: "group:nope" } : p
  );
  await withGroups({ profiles: missing }, async (app) => {
    const { answer } = await submitRequest(app, ASK);
    assertIncludes(
      JSON.stringify(answer),
      "The group `group:nope` does not exist in the tailnet policy file",
    );
    assertEquals(records(app).length, 0);
  });
  await withGroups({}, async (app) => {
    await submitRequest(app, ASK);
    // The group is deleted before Bob decides.
    app.tailscale.setPolicyOutside(
      DEMO_POLICY.replace(
        `"group:prod": ["carol@example.com"], // on call\n`,
        "",
      ),
    );
    const before = app.tailscale.policyText();
    await approve(app);
    assertEquals(app.tailscale.policyText(), before, "not created");
    assertEquals(policyWrites(app), 0);
    assertEquals(newestRecord(app).state, "failed");
    for (const who of [alice, bob]) {
      assertIncludes(
        textIn(app, who),
        "does not exist in the tailnet policy file",
      );
    }
  });
});

Deno.test("logins: config.ts maps an email, an admin's override wins, and no login is a clear error", async () => {
  await withGroups({
    tailscaleLogins: { "Dave@Example.com": "ops@corp.example" },
    users: ["ops@corp.example", "dave.admin@corp.example"],
  }, async (app) => {
    await submitRequest(app, ASK, { requester: dave });
    assertIncludes(
      JSON.stringify(messageWithButton(app, bob, "Approve")),
      "`ops@corp.example`",
    );
    await approve(app);
    assertEquals(members(app), ["carol@example.com", "ops@corp.example"]);
    // An admin's override takes precedence over config.ts.
    app.slack.datastore("login_overrides").set("dave@example.com", {
      email: "dave@example.com",
      login: "dave.admin@corp.example",
    });
    await submitRequest(app, ASK, { requester: dave });
    assertIncludes(
      JSON.stringify(app.slack.messagesIn(bob).at(-1)),
      "`dave.admin@corp.example`",
    );
  });
  await withGroups({}, async (app) => {
    // Erin has no device, so no Tailscale user has her email.
    const { answer } = await submitRequest(app, ASK, { requester: erin });
    assertIncludes(
      JSON.stringify(answer),
      "No Tailscale user has the login erin@example.com",
    );
    assertEquals(records(app).length, 0);
  });
});

Deno.test("without the policy_file scope the requester is told which scope is missing", async () => {
  await withGroups({
    scopes: SCOPES.filter((s) => s !== "policy_file"),
  }, async (app) => {
    const { answer } = await submitRequest(app, ASK);
    assertIncludes(JSON.stringify(answer), "policy_file");
    assertEquals(records(app).length, 0);
  });
});
