/**
 * The whole flow, end to end: the real functions in fresh processes, driven
 * like Slack drives them, against the Slack and Tailscale fakes.
 */
import {
  ALICE_ASKS_BOB,
  ALICE_LAPTOP,
  approve,
  attributeWrites,
  deny,
  fillRequest,
  LABEL,
  lastDecision,
  messageWithButton,
  PEOPLE,
  records,
  repliesTo,
  requestApproved,
  requestPending,
  submitRequest,
  textIn,
  withApp,
} from "./flow_helpers.ts";
import { assert, assertEquals, assertIncludes } from "./assert.ts";

const { alice, bob, carol } = PEOPLE;

Deno.test("golden path: request, approve, attribute written with expiry and comment", async () => {
  await withApp({}, async (app) => {
    const { run, answer, prompt } = await requestPending(app);
    assertEquals(answer, {}, "the form closes without errors");

    const promptText = JSON.stringify(prompt.blocks);
    assertIncludes(promptText, `<@${alice}> requests access to *Production*`);
    assertIncludes(promptText, "alice-laptop");
    assertIncludes(
      promptText,
      "https://login.tailscale.com/admin/machines/100.64.0.",
    );
    assertIncludes(promptText, "owned by alice@example.com");
    assertIncludes(promptText, "1 hour");
    assertIncludes(promptText, "custom:prodAccess");
    assertIncludes(promptText, "INC-42 read payment logs");
    assertIncludes(textIn(app, alice), `was sent to <@${bob}>`);
    assertEquals(
      attributeWrites(app).length,
      0,
      "nothing written before approval",
    );

    const before = Date.now();
    await approve(app, bob, prompt);
    const after = Date.now();

    const writes = attributeWrites(app);
    assertEquals(writes.length, 1);
    assertEquals(
      writes[0].path,
      `/api/v2/device/${ALICE_LAPTOP}/attributes/custom:prodAccess`,
    );
    const body = writes[0].body as {
      value: unknown;
      expiry: string;
      comment: string;
    };
    assertEquals(body.value, true);
    const expiry = Date.parse(body.expiry);
    assert(
      expiry >= before + 3600_000 - 1000 && expiry <= after + 3600_000,
      `expiry ${body.expiry}`,
    );
    assertEquals(
      body.comment,
      "Requested in Slack by alice@example.com, approved by bob@example.com. Reason: INC-42 read payment logs",
    );
    const attrs = app.tailscale.customAttributes(ALICE_LAPTOP);
    assertEquals(attrs.attributes["custom:prodAccess"], true);
    assertEquals(attrs.expiries["custom:prodAccess"], body.expiry);

    assertIncludes(textIn(app, alice), "Your access to *Production*");
    assertIncludes(textIn(app, alice), "is active until <!date^");
    const decided = app.slack.messagesIn(bob).find((m) => m.ts === prompt.ts)!;
    assertIncludes(JSON.stringify(decided.blocks), `Approved by <@${bob}>`);
    assert(
      !JSON.stringify(decided.blocks).includes('"Approve"'),
      "buttons removed",
    );
    assertIncludes(textIn(app, "C0NOTIFY01"), `Approved by <@${bob}>`);

    // The request's run ended when the approver was asked; the decision
    // ran as its own workflow, from the button.
    assertEquals(run.status, "completed");
    assertEquals(run.executions[1].outputs?.outcome, "requested");
    assertEquals(lastDecision(app).outcome, "granted");
    assertEquals(app.slack.blockKitViolations, []);
  });
});

Deno.test("deny: nothing is written and the requester is told", async () => {
  await withApp({}, async (app) => {
    const { run } = await submitRequest(app);
    await deny(app, bob, messageWithButton(app, bob, "Deny…"), "Use staging");
    assertEquals(attributeWrites(app).length, 0);
    assertIncludes(textIn(app, alice), `<@${bob}> denied your request`);
    assertIncludes(textIn(app, alice), "Reason: “Use staging”");
    assertIncludes(textIn(app, "C0NOTIFY01"), `Denied by <@${bob}>`);
    assertEquals(records(app)[0].decision_note, "Use staging");
    assertEquals(run.status, "completed");
    assertEquals(lastDecision(app).outcome, "denied");
  });
});

Deno.test("self-approval without confirmation grants at once", async () => {
  await withApp({}, async (app) => {
    const run = await fillRequest(app, alice, {
      profile: "Staging",
      device: { query: "alice", option: "alice-laptop" },
      duration: "30 minutes",
      reason: "deploy check",
    });
    const { view } = app.platform.openView(alice);
    assertIncludes(JSON.stringify(view), "No approval needed");
    assertEquals(await app.platform.submit(alice), {});
    const writes = attributeWrites(app);
    assertEquals(writes.length, 1);
    assertIncludes(writes[0].path, "custom:stagingAccess");
    assertIncludes(
      (writes[0].body as { comment: string }).comment,
      "self-approved",
    );
    assertEquals(
      app.slack.messagesIn(alice).filter((m) =>
        JSON.stringify(m.blocks).includes('"Approve"')
      ).length,
      0,
      "no prompt is sent",
    );
    assertIncludes(textIn(app, alice), "(self-approved)");
    assertEquals(run.status, "completed");
  });
});

Deno.test("self-approval with confirmation asks the requester to click Approve", async () => {
  await withApp({}, async (app) => {
    const { run, prompt } = await requestPending(app, {
      profile: "Database (confirm)",
      device: { query: "", option: "alice-laptop" },
      reason: "schema migration",
    }, { approver: alice });
    assertEquals(attributeWrites(app).length, 0, "waits for the confirmation");
    await approve(app, alice, prompt);
    assertEquals(attributeWrites(app).length, 1);
    assertIncludes(attributeWrites(app)[0].path, "custom:dbAccess");
    assertEquals(run.status, "completed");
  });
});

Deno.test("a requester who is the only approver is told so in the form", async () => {
  await withApp({
    profiles: [{
      description: "Payroll",
      attribute: "custom:payroll",
      approverEmails: ["alice@example.com"],
    }],
  }, async (app) => {
    await app.platform.startWorkflow("request_tailscale_access", alice);
    const { view } = app.platform.openView(alice);
    const text = JSON.stringify(view);
    assertIncludes(text, "You are the only approver configured for Payroll");
    const answer = await app.platform.submit(alice);
    assertEquals(answer.response_action, "errors");
    assertIncludes(
      answer.errors.profile,
      "Nobody can approve this profile for you",
    );
  });
});

Deno.test("the approver list excludes the requester unless self-approval is allowed", async () => {
  await withApp({
    profiles: [{
      description: "Production",
      attribute: "custom:prodAccess",
      approverEmails: [
        "alice@example.com",
        "bob@example.com",
        "nobody@example.com",
      ],
    }],
  }, async (app) => {
    await app.platform.startWorkflow("request_tailscale_access", alice);
    const { view } = app.platform.openView(alice);
    const approver = view.blocks.find((b: { label?: { text: string } }) =>
      b.label?.text === LABEL.approver
    );
    assertEquals(
      approver.element.options.map((o: { value: string }) => o.value),
      [bob],
    );
    assertIncludes(approver.element.options[0].description.text, "Local time");
    assertIncludes(approver.hint.text, "nobody@example.com");
  });
});

Deno.test("without Tailscale credentials the modal names the variables to set", async () => {
  await withApp({ env: { TAILSCALE_CLIENT_SECRET: "" } }, async (app) => {
    const run = await app.platform.startWorkflow(
      "request_tailscale_access",
      alice,
    );
    const { view } = app.platform.openView(alice);
    const text = JSON.stringify(view);
    assertIncludes(text, "slack env add TAILSCALE_CLIENT_SECRET");
    assert(
      !text.includes("slack env add TAILSCALE_CLIENT_ID"),
      "only the missing one",
    );
    assertEquals(run.status, "failed");
    assertIncludes(run.executions[0].error ?? "", "TAILSCALE_CLIENT_SECRET");
    assertEquals(app.tailscale.calls.length, 0);
  });
});

Deno.test("only the named approver's click counts", async () => {
  await withApp({}, async (app) => {
    const { prompt } = await requestPending(app);
    await approve(app, carol, prompt);
    assertEquals(attributeWrites(app).length, 0);
    assertIncludes(repliesTo(app, carol), `Only <@${bob}> can approve or deny`);
  });
});

Deno.test("a failed grant is said out loud and the step fails", async () => {
  await withApp({}, async (app) => {
    const { run } = await requestPending(app);
    app.tailscale.failNext(1, {
      status: 400,
      body: {
        message: "custom posture attributes are not enabled for this tailnet",
      },
    }, /\/attributes\//);
    await approve(app);
    const told = textIn(app, alice);
    assertIncludes(told, "the grant *failed*");
    assertIncludes(
      told,
      "custom posture attributes are not enabled for this tailnet",
    );
    assertIncludes(told, "HTTP 400");
    assert(!told.includes("is active until"), "never claims a grant");
    assertIncludes(textIn(app, "C0NOTIFY01"), "the grant *failed*");
    // The decision's step fails; the request's own run had ended already.
    assertEquals(run.status, "completed");
    assertEquals(lastDecision(app).run.status, "failed");
    assertIncludes(lastDecision(app).error ?? "", "HTTP 400");
    assertEquals(
      app.tailscale.customAttributes(ALICE_LAPTOP)
        .attributes["custom:prodAccess"],
      undefined,
    );
  });
});

Deno.test("a missing scope is reported in plain words", async () => {
  await withApp(
    { tailscale: { scopes: ["devices:core:read"] } },
    async (app) => {
      await requestApproved(app);
      const told = textIn(app, alice);
      assertIncludes(told, "missing a permission");
      assertIncludes(told, "devices:posture_attributes");
    },
  );
});

Deno.test("one OAuth token serves every event of the flow", async () => {
  await withApp({}, async (app) => {
    await requestApproved(app);
    assert(
      app.tailscale.calls.length >= 3,
      "several Tailscale calls across events",
    );
    assertEquals(app.tailscale.tokensIssued, 1);
  });
});

Deno.test("a private notify channel does not block or hide the grant", async () => {
  await withApp({
    profiles: [{
      description: "Production",
      attribute: "custom:prodAccess",
      approverEmails: ["bob@example.com"],
      notifyChannel: "C0PRIVATE1",
    }],
  }, async (app) => {
    const { run } = await requestApproved(app, {
      ...ALICE_ASKS_BOB,
      approver: undefined,
    });
    assertEquals(attributeWrites(app).length, 1);
    assertIncludes(textIn(app, alice), "is active until");
    assertEquals(run.status, "completed");
  });
});
