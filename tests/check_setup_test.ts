/**
 * The "Check Tailscale access setup" shortcut, end to end through the
 * emulators: run from its link trigger, it DMs an admin the setup report
 * (the same lines as `deno task doctor`, with the app's own credentials and
 * Slack client), and tells anyone else it is for admins without asking
 * Tailscale anything. It writes nothing to Tailscale.
 */
import shortcut from "../triggers/check_setup_shortcut.ts";
import { assert, assertEquals, assertIncludes } from "./assert.ts";
import { PEOPLE, textIn, withApp } from "./flow_helpers.ts";

const { alice, dave } = PEOPLE;
const WORKFLOW = "check_tailscale_setup";

Deno.test("the link trigger runs the workflow with the user who clicked", () => {
  assertEquals(shortcut.workflow, `#/workflows/${WORKFLOW}`);
  assertEquals(shortcut.inputs, { user: { value: "{{data.user_id}}" } });
});

const OPTIONS = {
  admins: ["dave@example.com"],
  tailscale: {
    scopes: [
      "devices:core:read",
      "devices:posture_attributes",
      "policy_file:read",
    ],
  },
};

Deno.test("a non-admin is told the shortcut is for admins; Tailscale is not asked", async () => {
  await withApp(OPTIONS, async (app) => {
    const run = await app.platform.startWorkflow(WORKFLOW, alice);
    assertEquals(run.status, "completed");
    const dm = textIn(app, alice);
    assertIncludes(dm, "is for the tailnet admins listed in config.ts");
    assert(!dm.includes("✓"), "no report for a non-admin");
    assertEquals(app.tailscale.calls.length, 0);
  });
});

Deno.test("an admin gets the report as DMs: every section, each ✗ with its fix, nothing written", async () => {
  await withApp(OPTIONS, async (app) => {
    const run = await app.platform.startWorkflow(WORKFLOW, dave);
    assertEquals(run.status, "completed", app.output.join("\n"));
    const dm = textIn(app, dave);
    assertIncludes(dm, "Tailscale access setup check");
    assertIncludes(
      dm,
      "✓ *config.ts*: valid: 4 profiles (4 attribute, 0 group), 1 admin",
    );
    assertIncludes(dm, "✓ *credentials*: TAILSCALE_CLIENT_ID");
    // The demo policy serves Production and Staging, not the other two.
    assertIncludes(dm, "✓ *Production*: Tailscale confirms");
    assertIncludes(
      dm,
      "✗ *Jump hosts*: approving Jump hosts changes no access",
    );
    assertIncludes(dm, "deno task policy prints what to paste");
    // The app's own Slack client checks the approvers and the channel.
    assertIncludes(dm, "✓ *bob@example.com*: approver for Production");
    assertIncludes(dm, "✓ *C0NOTIFY01*: notify channel for Production");
    assertIncludes(dm, "fix each ✗ above");
    assertEquals(app.slack.blockKitViolations, []);
    assertEquals(
      app.tailscale.calls.filter((c) =>
        c.method !== "GET" && !/oauth\/token$|acl\/validate$/.test(c.path)
      ),
      [],
    );
    assertEquals(app.slack.datastore("tailscale_tokens").size, 0);
  });
});

Deno.test("in the deployed app, missing Tailscale credentials are a ✗ with the slack env add command, not a skipped section", async () => {
  await withApp({
    ...OPTIONS,
    env: { TAILSCALE_CLIENT_ID: "", TAILSCALE_CLIENT_SECRET: "" },
  }, async (app) => {
    const run = await app.platform.startWorkflow(WORKFLOW, dave);
    assertEquals(run.status, "completed", app.output.join("\n"));
    const dm = textIn(app, dave);
    assertIncludes(
      dm,
      "✗ *credentials*: TAILSCALE_CLIENT_ID and TAILSCALE_CLIENT_SECRET are not set in the app's environment, so no grant can work: run slack env add TAILSCALE_CLIENT_ID &lt;value&gt;; slack env add TAILSCALE_CLIENT_SECRET &lt;value&gt;",
    );
    assertEquals(app.tailscale.calls.length, 0);
  });
});
