/**
 * Tailscale as it really answers, end to end through the emulators: each
 * test pins one way the live API differs from its documentation's examples
 * (see docs/platform-contract.md), and what the app does about it.
 */
import type { TestApp } from "../dev/app.ts";
import { demoDevice } from "../dev/emulator/demo_tailnet.ts";
import type { ConfigInput } from "../lib/config_schema.ts";
import { groupMembers } from "../lib/policy/group_members.ts";
import type { RequestRecord } from "../lib/requests/store.ts";
import { assert, assertEquals, assertIncludes } from "./assert.ts";
import {
  ALICE_LAPTOP,
  approve,
  attributeWrites,
  type Filled,
  LABEL,
  newestRecord,
  PEOPLE,
  PROFILES,
  records,
  requestApproved,
  requestPending,
  submitRequest,
  textIn,
  withApp,
} from "./flow_helpers.ts";
import { WORKFLOWS } from "../lib/context.ts";

const { alice, bob } = PEOPLE;
const MINUTE = 60_000;
const CHANNEL = "C0NOTIFY01";
const MY_ACCESS = "my_tailscale_access";
const PROD = "custom:prodAccess";
const GROUP_SCOPES = [
  "devices:core:read",
  "devices:posture_attributes",
  "policy_file",
  "users:read",
];
const GROUP_PROFILES: ConfigInput["profiles"] = [...PROFILES, {
  description: "Prod group",
  group: "group:prod",
  maxSeconds: 2 * 3600,
  approverEmails: ["bob@example.com"],
  notifyChannel: CHANNEL,
}];

/** Alice's hour of the Prod group, asked of Bob. */
const GROUP_ASK: Filled = {
  profile: "Prod group",
  duration: "1 hour",
  approver: "*Bob Baker*",
  reason: "INC-7 fix the payments deploy",
};

/**
 * The grant ended as `state`, its history says the device left, and the
 * requester and the channel were told.
 */
function endedWithDeviceGone(
  app: TestApp,
  record: RequestRecord,
  state: "expired" | "revoked",
) {
  const after = records(app).find((r) => r.id === record.id)!;
  assertEquals(after.state, state);
  assert(
    after.history.some((h) =>
      h.note?.includes("the device was removed from the tailnet")
    ),
    "history says why",
  );
  for (const who of [alice, CHANNEL]) {
    assertIncludes(textIn(app, who), "The device is no longer in the tailnet");
  }
}

const prodAccess = (app: TestApp) =>
  app.tailscale.customAttributes(ALICE_LAPTOP).attributes[PROD];
const prodGroup = (app: TestApp) =>
  groupMembers(app.tailscale.policyText(), "group:prod");

Deno.test("an attribute write Tailscale answers with null is a grant, recorded and said as one", async () => {
  // tailscale/tailscale#18253: the live API answers a successful write with
  // `null`, not the documented attributes object.
  await withApp({}, async (app) => {
    const { record } = await requestApproved(app);
    const [write] = attributeWrites(app);
    assertEquals([write.status, write.responseBytes], [200, 4], "null");
    assertEquals(record.state, "granted");
    assertEquals(prodAccess(app), true);
    assertIncludes(textIn(app, alice), "is active until");
    assert(!textIn(app, alice).includes("failed"), "never said to fail");
  });
});

Deno.test("policy warnings do not stop a group grant or its removal; they are logged", async () => {
  await withApp({
    profiles: GROUP_PROFILES,
    tailscale: { scopes: GROUP_SCOPES },
  }, async (app) => {
    app.tailscale.setPolicyWarnings([{
      user: "group:sre@example.com",
      warnings: [
        "group is not syncing from SCIM and will be ignored by rules in the policy file",
      ],
    }]);
    const { record } = await requestApproved(app, GROUP_ASK);
    assertEquals(record.state, "granted");
    assert(prodGroup(app)?.includes("alice@example.com"), "added");
    await app.platform.advanceClock(61 * MINUTE);
    assertEquals(newestRecord(app).state, "expired");
    assert(!prodGroup(app)?.includes("alice@example.com"), "removed");
    assertIncludes(app.output.join("\n"), "not syncing from SCIM");
  });
});

Deno.test("failing policy tests refuse a group grant with Tailscale's own lines, writing nothing", async () => {
  await withApp({
    profiles: GROUP_PROFILES,
    tailscale: { scopes: GROUP_SCOPES },
  }, async (app) => {
    app.tailscale.setPolicyTestFailures([{
      user: "alice@example.com",
      errors: ['address "2.2.2.2:22": want: Drop, got: Accept'],
    }]);
    const { record } = await requestApproved(app, GROUP_ASK);
    assertEquals(record.state, "failed");
    assertEquals(app.tailscale.callsTo("POST", /\/acl$/).length, 0);
    assertIncludes(
      textIn(app, alice),
      'alice@example.com: address \\"2.2.2.2:22\\": want: Drop, got: Accept',
    );
    assertEquals(prodGroup(app), ["carol@example.com"]);
  });
});

Deno.test("a policy write answered without an ETag is a write that happened", async () => {
  // The ETag is documented on GET /acl only; the emulator's POST has none.
  await withApp({
    profiles: GROUP_PROFILES,
    tailscale: { scopes: GROUP_SCOPES },
  }, async (app) => {
    const { record } = await requestApproved(app, GROUP_ASK);
    const writes = app.tailscale.callsTo("POST", /\/acl$/);
    assertEquals(writes.map((c) => c.status), [200], "one write, no retry");
    assertEquals(record.state, "granted");
    assertEquals(record.membership, "added");
    assertEquals(prodGroup(app), ["carol@example.com", "alice@example.com"]);
  });
});

Deno.test("revoking a grant whose device left the tailnet ends it and says why", async () => {
  await withApp({}, async (app) => {
    const { record } = await requestApproved(app);
    app.tailscale.removeDevice(ALICE_LAPTOP);
    await app.platform.startWorkflow(MY_ACCESS, alice);
    const list = JSON.stringify(app.platform.openView(alice).view.blocks);
    assertIncludes(list, "Device removed from the tailnet");
    await app.platform.press(alice, "Revoke");
    // The DELETE answered 404; a read confirmed the device is gone.
    assertEquals(
      app.tailscale.callsTo("DELETE", /\/attributes\//).map((c) => c.status),
      [404],
    );
    endedWithDeviceGone(app, record, "revoked");
    assertIncludes(
      JSON.stringify(app.platform.openView(alice).view.blocks),
      "the device was removed from the tailnet",
    );
  });
});

Deno.test("the scheduled end of a grant whose device left the tailnet says so", async () => {
  await withApp({}, async (app) => {
    const { record } = await requestApproved(app);
    app.tailscale.removeDevice(ALICE_LAPTOP);
    await app.platform.advanceClock(61 * MINUTE);
    endedWithDeviceGone(app, record, "expired");
  });
});

Deno.test("reconciliation ends an overdue grant whose device left the tailnet", async () => {
  await withApp({}, async (app) => {
    const { record } = await requestApproved(app);
    // Slack lost the expiry trigger; the device is deleted meanwhile.
    for (const [id, t] of app.slack.triggers) {
      if (t.type === "scheduled") app.slack.triggers.delete(id);
    }
    app.tailscale.removeDevice(ALICE_LAPTOP);
    await app.platform.advanceClock(70 * MINUTE);
    await app.platform.startWorkflow(WORKFLOWS.reconcile, alice);
    endedWithDeviceGone(app, record, "expired");
  });
});

Deno.test("at its end the app removes the attribute Tailscale would keep for minutes", async () => {
  // "Tailscale will automatically remove the attribute within a few
  // minutes after the specified time": the emulator keeps it 3 minutes.
  await withApp({}, async (app) => {
    const { record } = await requestApproved(app);
    const end = Date.parse(record.expires_at!);
    await app.platform.advanceClock(end - app.slack.now());
    assertEquals(
      app.tailscale.callsTo("DELETE", /\/attributes\/custom:prodAccess$/)
        .map((c) => c.status),
      [200],
    );
    assertEquals(prodAccess(app), undefined, "gone at the end, not minutes on");
    assertEquals(newestRecord(app).state, "expired");
    assertIncludes(textIn(app, alice), "ended");
  });
});

Deno.test("at its end an attribute someone else set since is left alone and reported", async () => {
  await withApp({}, async (app) => {
    const { record } = await requestApproved(app);
    const later = new Date(Date.parse(record.expires_at!) + 4 * 3_600_000);
    app.tailscale.setAttributeOutside(ALICE_LAPTOP, PROD, {
      value: true,
      expiry: later.toISOString(),
    });
    await app.platform.advanceClock(61 * MINUTE);
    assertEquals(app.tailscale.callsTo("DELETE", /\/attributes\//).length, 0);
    assertEquals(prodAccess(app), true);
    assertIncludes(textIn(app, alice), "changed outside this app");
    assertIncludes(textIn(app, CHANNEL), "changed outside this app");
  });
});

Deno.test("online devices come first in the picker, though Tailscale omits their lastSeen", async () => {
  await withApp({}, async (app) => {
    // alice-laptop is connected (no lastSeen); alice-iphone was seen days ago.
    await app.platform.startWorkflow("request_tailscale_access", alice);
    await app.platform.choose(alice, LABEL.profile, "Production");
    const answer = await app.platform.suggest(alice, LABEL.device, "");
    const texts = JSON.stringify(answer);
    assert(
      texts.indexOf("alice-laptop") < texts.indexOf("alice-iphone"),
      `online first: ${texts}`,
    );
  });
});

Deno.test("an attribute key of 128 characters, as Tailscale allows, is granted", async () => {
  const attribute = `custom:${"p".repeat(121)}`;
  await withApp({
    profiles: [{ ...PROFILES[0], attribute }],
  }, async (app) => {
    const { record } = await requestApproved(app);
    assertEquals(record.state, "granted");
    assertEquals(
      app.tailscale.customAttributes(ALICE_LAPTOP).attributes[attribute],
      true,
    );
  });
});

Deno.test("without users:read the requester is told which scope is missing, not 'not found'", async () => {
  // The users list documents 404 "…or user does not have access to read users".
  await withApp({
    profiles: GROUP_PROFILES,
    tailscale: { scopes: GROUP_SCOPES.filter((s) => s !== "users:read") },
  }, async (app) => {
    const { answer } = await submitRequest(app, {
      ...GROUP_ASK,
      reason: "INC-7",
    });
    assertEquals(
      app.tailscale.callsTo("GET", /\/users$/).map((c) => c.status),
      [404],
    );
    assertIncludes(JSON.stringify(answer), "users:read");
    assertEquals(records(app).length, 0);
  });
});

Deno.test("a device shared in from another tailnet is never offered, accepted or granted", async () => {
  await withApp({}, async (app) => {
    // Alice's NAS from her home tailnet, shared in: same login, not ours.
    app.tailscale.addDevice({
      ...demoDevice("alice-iphone"),
      id: "393735759999",
      nodeId: "nSHAREDNASCNTRL",
      hostname: "alice-home-nas",
      name: "alice-home-nas.other-tailnet.ts.net",
      isExternal: true,
    });
    await app.platform.startWorkflow("request_tailscale_access", alice);
    await app.platform.choose(alice, LABEL.profile, "Production");
    const offered = JSON.stringify(
      await app.platform.suggest(alice, LABEL.device, ""),
    );
    assertIncludes(offered, "alice-laptop");
    assert(!offered.includes("alice-home-nas"), "not offered");
    // A forged choice of it is refused on the field.
    app.platform.selectSuggested(alice, LABEL.device, {
      text: { type: "plain_text", text: "alice-home-nas" },
      value: "nSHAREDNASCNTRL",
    });
    await app.platform.choose(alice, LABEL.duration, "1 hour");
    await app.platform.choose(alice, LABEL.approver, "*Bob Baker*");
    app.platform.type(alice, LABEL.reason, "backups");
    assertIncludes(
      JSON.stringify(await app.platform.submit(alice)),
      "shared into this tailnet from another tailnet",
    );
    assertEquals(records(app).length, 0);
  });
});

Deno.test("a device that turns out to be shared in at approval time is not granted", async () => {
  await withApp({}, async (app) => {
    await requestPending(app);
    app.tailscale.addDevice({
      ...demoDevice("alice-laptop"),
      isExternal: true,
    });
    await approve(app);
    assertEquals(newestRecord(app).state, "failed");
    assertEquals(attributeWrites(app).length, 0);
    assertIncludes(textIn(app, alice), "shared into this tailnet");
  });
});

Deno.test("the own-devices picker on a cold index asks Tailscale for the requester's devices only", async () => {
  await withApp({}, async (app) => {
    await app.platform.startWorkflow("request_tailscale_access", bob);
    await app.platform.choose(bob, LABEL.profile, "Production");
    app.slack.datastore("device_index").delete("meta");
    const from = app.tailscale.calls.length;
    const offered = JSON.stringify(
      await app.platform.suggest(bob, LABEL.device, ""),
    );
    const listings = app.tailscale.calls.slice(from)
      .filter((c) => c.path.endsWith("/devices"));
    assertEquals(listings.map((c) => c.search), ["?user=bob%40example.com"]);
    // Bob registered two tagged servers; they are the tailnet's, not his.
    assertIncludes(offered, "bob-thinkpad");
    assert(!offered.includes("prod-db-1"), "tagged devices are not his own");
    assertEquals(app.slack.datastore("device_index").get("meta"), undefined);
  });
});
