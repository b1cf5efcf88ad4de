/**
 * The request form's server-side checks: whatever the client sends, a bad
 * request is answered on the right field and never reaches the approver.
 */
import {
  ALICE_ASKS_BOB,
  fillRequest,
  LABEL,
  PEOPLE,
  withApp,
} from "./flow_helpers.ts";
import { assert, assertEquals, assertIncludes } from "./assert.ts";
import type { TestApp } from "../dev/app.ts";

const { alice, bob, dave } = PEOPLE;

/** Submits and returns the errors, checking nothing went out. */
async function submitErrors(app: TestApp, requester = alice) {
  const answer = await app.platform.submit(requester);
  assertEquals(answer.response_action, "errors", JSON.stringify(answer));
  assertEquals(app.slack.completions.length, 0, "the step did not complete");
  assertEquals(
    app.slack.callsTo("chat.postMessage").length,
    0,
    "nobody was messaged",
  );
  return answer.errors as Record<string, string>;
}

Deno.test("the modal opens before any other call, then fills in", async () => {
  await withApp({
    profiles: [{
      description: "Production",
      attribute: "custom:prodAccess",
      approverEmails: ["bob@example.com"],
    }],
  }, async (app) => {
    await app.platform.startWorkflow("request_tailscale_access", alice);
    const methods = app.slack.calls.map((c) => c.method);
    assertEquals(methods[0], "views.open");
    assertIncludes(
      JSON.stringify(app.slack.calls[0].args),
      "Looking up approvers",
    );
    assert(methods.includes("views.update"), "then filled in");
    // The device picker's cache is warmed after the form is open.
    assertEquals(methods.at(-1), "apps.datastore.put");
  });
});

Deno.test("submitting with nothing chosen asks for the profile", async () => {
  await withApp({}, async (app) => {
    await app.platform.startWorkflow("request_tailscale_access", alice);
    const errors = await submitErrors(app);
    assertEquals(errors, { profile: "Choose what you want to access." });
  });
});

Deno.test("an unknown profile is refused", async () => {
  await withApp({}, async (app) => {
    await fillRequest(app, alice, ALICE_ASKS_BOB);
    app.platform.forge(alice, LABEL.profile, {
      selected_option: {
        text: { type: "plain_text", text: "Root" },
        value: "custom:root",
      },
    });
    const errors = await submitErrors(app);
    assertIncludes(errors.profile, "no longer offered");
  });
});

Deno.test("a missing device and reason are asked for on their fields", async () => {
  await withApp({}, async (app) => {
    await fillRequest(app, alice, {
      ...ALICE_ASKS_BOB,
      device: undefined,
      reason: "   ",
    });
    const errors = await submitErrors(app);
    assertEquals(errors.device, "Choose the device you will use.");
    assertEquals(errors.reason, "Say why you need access.");
  });
});

Deno.test("a duration above the profile's maximum is refused", async () => {
  await withApp({}, async (app) => {
    await fillRequest(app, alice, ALICE_ASKS_BOB);
    app.platform.forge(alice, LABEL.duration, {
      selected_option: {
        text: { type: "plain_text", text: "9 hours" },
        value: String(9 * 3600),
      },
    });
    const errors = await submitErrors(app);
    assertEquals(
      errors["duration:custom:prodAccess"],
      "Production allows at most 8 hours.",
    );
  });
});

Deno.test("an approver not listed for the profile is refused", async () => {
  await withApp({}, async (app) => {
    await fillRequest(app, alice, ALICE_ASKS_BOB);
    app.platform.forge(alice, LABEL.approver, {
      selected_option: { text: { type: "mrkdwn", text: "Dave" }, value: dave },
    });
    const errors = await submitErrors(app);
    assertEquals(
      errors["approver:custom:prodAccess"],
      "Dave Diaz cannot approve access to Production. Choose one of its approvers.",
    );
  });
});

Deno.test("with more than ten approvers a user picker is offered and still checked", async () => {
  const many = Array.from({ length: 10 }, (_, i) => `approver${i}@example.com`);
  await withApp({
    profiles: [{
      description: "Production",
      attribute: "custom:prodAccess",
      approverEmails: [...many, "bob@example.com"],
    }],
  }, async (app) => {
    await fillRequest(app, alice, {
      ...ALICE_ASKS_BOB,
      approver: undefined,
      approverUser: dave,
    });
    const errors = await submitErrors(app);
    assertIncludes(
      errors["approver:custom:prodAccess"],
      "cannot approve access to Production",
    );
    app.platform.chooseUser(alice, LABEL.approver, bob);
    assertEquals(await app.platform.submit(alice), {});
  });
});

Deno.test("self-approval is refused when the profile does not allow it", async () => {
  await withApp({
    profiles: [{ description: "Production", attribute: "custom:prodAccess" }],
  }, async (app) => {
    await fillRequest(app, alice, {
      ...ALICE_ASKS_BOB,
      approver: undefined,
      approverUser: alice,
    });
    const errors = await submitErrors(app);
    assertEquals(
      errors["approver:custom:prodAccess"],
      "You cannot approve your own access to Production. Choose someone else.",
    );
  });
});

Deno.test("a deleted Slack user cannot be the approver", async () => {
  await withApp({
    profiles: [{ description: "Production", attribute: "custom:prodAccess" }],
  }, async (app) => {
    await fillRequest(app, alice, {
      ...ALICE_ASKS_BOB,
      approver: undefined,
      approverUser: PEOPLE.gone,
    });
    const errors = await submitErrors(app);
    assertEquals(
      errors["approver:custom:prodAccess"],
      "Gary Gone has a deactivated Slack account, and only full members of the workspace can approve Production access. Choose someone else.",
    );
  });
});

Deno.test("a malformed view state gets a message, not a crash", async () => {
  await withApp({}, async (app) => {
    await fillRequest(app, alice, ALICE_ASKS_BOB);
    app.platform.forge(alice, LABEL.reason, { value: 42 });
    const errors = await submitErrors(app);
    assertIncludes(errors.profile, "could not be read");
  });
});

Deno.test("a maximum shorter than every preset is offered exactly", async () => {
  await withApp({
    profiles: [{
      description: "Break glass",
      attribute: "custom:breakGlass",
      maxSeconds: 120,
      canSelfApprove: true,
    }],
  }, async (app) => {
    await app.platform.startWorkflow("request_tailscale_access", alice);
    const { view } = app.platform.openView(alice);
    const duration = view.blocks.find((b: { label?: { text: string } }) =>
      b.label?.text === LABEL.duration
    );
    assertEquals(
      duration.element.options.map((o: { value: string }) => o.value),
      ["120"],
    );
    assertEquals(duration.element.initial_option.text.text, "2 minutes");
  });
});

Deno.test("closing the form ends the step instead of leaving it waiting", async () => {
  await withApp({}, async (app) => {
    const run = await app.platform.startWorkflow(
      "request_tailscale_access",
      alice,
    );
    await app.platform.closeView(alice);
    assertEquals(run.status, "failed");
    assertIncludes(run.executions[0].error ?? "", "closed the form");
    assert(app.slack.callsTo("chat.postMessage").length === 0);
  });
});
