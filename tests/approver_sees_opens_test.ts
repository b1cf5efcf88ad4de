/**
 * The approver sees what approving opens, end to end through the
 * emulators: the request form's warm-up reads the policy file beside the
 * device list and caches each profile's summary; the review step shows it
 * in the approver's prompt and the requester's confirmation without asking
 * Tailscale; without `policy_file:read` the line points to the policy and
 * the request goes ahead as before. And the cache itself: shown up to its
 * TTL, then not; nothing for an unknown profile or an unreadable item.
 */
import type { TestApp } from "../dev/app.ts";
import type { ConfigInput } from "../lib/config_schema.ts";
import { OPENS_TTL_MS, readOpens, writeOpens } from "../lib/devices/mod.ts";
import { sdkTest, withFake } from "./slack_fake_helpers.ts";
import { assert, assertEquals, assertIncludes } from "./assert.ts";
import {
  ALICE_ASKS_BOB,
  approve,
  type Filled,
  fillRequest,
  newestPrompt,
  newestRecord,
  PEOPLE,
  PROFILES,
  textIn,
  withApp,
} from "./flow_helpers.ts";

const { alice, bob } = PEOPLE;
const DEVICE_SCOPES = ["devices:core:read", "devices:posture_attributes"];

const POLICY = `// Policy for the approver's view.
{
  "groups": {"group:prod": ["carol@example.com"]},
  "postures": {
    "posture:prodAccess": ["custom:prodAccess == true"],
  },
  "grants": [
    {"src": ["group:prod"], "dst": ["tag:prod"], "ip": ["*"]}, // group-grant
    { // prod-grant
      "src": ["autogroup:member"],
      "dst": ["tag:prod"],
      "ip": ["tcp:22", "tcp:443"],
      "srcPosture": ["posture:prodAccess"],
    },
  ],
  "ssh": [
    {"action": "accept", "src": ["group:prod"], "dst": ["tag:prod"], "users": ["root"]}, // group-ssh
  ],
}
`;

/** The policy's line (1-based) that contains `marker`. */
function lineWith(marker: string): number {
  const line = POLICY.split("\n").findIndex((l) => l.includes(marker)) + 1;
  assert(line > 0, `the policy has ${marker}`);
  return line;
}

/** Reads of the policy file recorded by the Tailscale emulator. */
const policyReads = (app: TestApp) => app.tailscale.callsTo("GET", /\/acl$/);

/**
 * Alice fills in `filled` (the warm-up runs as the form opens) and
 * submits; returns the Tailscale calls made from the submission on, i.e.
 * by the review step.
 */
async function submitCountingCalls(app: TestApp, filled: Filled) {
  await fillRequest(app, alice, filled);
  const before = app.tailscale.calls.length;
  const answer = await app.platform.submit(alice);
  assertEquals(answer, {}, "the form closed without errors");
  return app.tailscale.calls.slice(before);
}

Deno.test("the approver and the requester see the grants the attribute opens, from the cache", async () => {
  await withApp({
    tailscale: {
      policy: POLICY,
      scopes: [...DEVICE_SCOPES, "policy_file:read"],
    },
  }, async (app) => {
    const review = await submitCountingCalls(app, ALICE_ASKS_BOB);
    assertEquals(policyReads(app).length, 1, "the warm-up read the policy");
    assertEquals(
      review.filter((c) => /\/acl/.test(c.path)),
      [],
      "the review step made no policy-file call",
    );
    const line = `Opens tag:prod on tcp:22, tcp:443 (policy line ${
      lineWith("prod-grant")
    })`;
    assertIncludes(JSON.stringify(newestPrompt(app, bob).blocks), line);
    assertIncludes(textIn(app, alice), line);

    // A profile no rule uses says so plainly.
    await submitCountingCalls(app, {
      ...ALICE_ASKS_BOB,
      profile: "Jump hosts",
      approver: undefined,
    });
    assertIncludes(
      JSON.stringify(newestPrompt(app, bob).blocks),
      "Opens nothing in the current policy",
    );
  });
});

Deno.test("without policy_file:read the message points to the policy and the request goes ahead", async () => {
  await withApp({
    tailscale: { policy: POLICY, scopes: DEVICE_SCOPES },
  }, async (app) => {
    await submitCountingCalls(app, ALICE_ASKS_BOB);
    // The warm-up tried and was refused; that was all.
    assertEquals(policyReads(app).map((c) => c.status), [403]);
    const prompt = newestPrompt(app, bob);
    assertIncludes(
      JSON.stringify(prompt.blocks),
      "What this opens: see the tailnet policy",
    );
    assertIncludes(
      textIn(app, alice),
      "What this opens: see the tailnet policy",
    );
    await approve(app, bob, prompt);
    assertEquals(newestRecord(app).state, "granted");
  });
});

const GROUP_PROFILES: ConfigInput["profiles"] = [...PROFILES, {
  description: "Prod group",
  group: "group:prod",
  approverEmails: ["bob@example.com"],
}];

Deno.test("a group profile shows the rules naming its group, SSH rules included", async () => {
  await withApp({
    profiles: GROUP_PROFILES,
    tailscale: {
      policy: POLICY,
      scopes: [...DEVICE_SCOPES, "policy_file", "users:read"],
    },
  }, async (app) => {
    const review = await submitCountingCalls(app, {
      profile: "Prod group",
      duration: "1 hour",
      reason: "INC-7 fix the payments deploy",
    });
    // One read: the submission's own check that the group exists. The
    // review step adds none.
    assertEquals(review.filter((c) => /\/acl$/.test(c.path)).length, 1);
    assertIncludes(
      JSON.stringify(newestPrompt(app, bob).blocks),
      `Opens tag:prod on all ports (policy line ${
        lineWith("group-grant")
      }); SSH to tag:prod as root (policy line ${lineWith("group-ssh")})`,
    );
  });
});

sdkTest(
  "the cached summary is read until its TTL, and never when unreadable",
  async () => {
    await withFake(async (fake, client) => {
      const now = Date.now();
      const opens = {
        rules: [{ targets: "tag:prod on tcp:22", line: 7 }],
        more: 0,
      };
      await writeOpens(client, { "custom:prodAccess": opens }, now);
      assertEquals(await readOpens(client, "custom:prodAccess", now), opens);
      assertEquals(
        await readOpens(client, "custom:prodAccess", now + OPENS_TTL_MS - 1000),
        opens,
        "stale but present is shown",
      );
      assertEquals(
        await readOpens(client, "custom:prodAccess", now + OPENS_TTL_MS + 1000),
        null,
        "past its TTL, though Slack has not deleted it yet",
      );
      assertEquals(await readOpens(client, "group:other", now), null);
      // A summary that does not fit the schema is not shown.
      fake.datastore("device_index").set("opens", {
        id: "opens",
        data: JSON.stringify({ "custom:prodAccess": { rules: "x", more: 0 } }),
        expires_at: Math.floor(now / 1000) + 3600,
      });
      assertEquals(await readOpens(client, "custom:prodAccess", now), null);
    }, { datastores: { device_index: "id" } });
  },
);
