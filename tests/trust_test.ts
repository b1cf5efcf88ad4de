/**
 * Trustworthy approvals: only the right person decides, a grant happens
 * exactly once, failures are said out loud, nothing is lost, no secret leaks.
 * Each test checks the Tailscale calls made, the record's final state and
 * what each person was told.
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
  PEOPLE,
  PROFILES,
  REAL_SETTLE,
  records,
  repliesTo,
  requestApproved,
  requestPending,
  submitRequest,
  textIn,
  withApp,
} from "./flow_helpers.ts";
import {
  assert,
  assertEquals,
  assertIncludes,
  assertRejects,
} from "./assert.ts";
import type { TestApp } from "../dev/app.ts";

const { alice, bob, carol } = PEOPLE;

/** Alice asks Bob for Production; returns the run and Bob's prompt. */
async function requested(app: TestApp) {
  const { run, answer, prompt } = await requestPending(app);
  assertEquals(answer, {});
  const [record] = records(app);
  assertEquals(record.state, "pending", "recorded before anyone decides");
  // A copy: what Bob's Slack showed him, even after the app updates it.
  return { run, prompt: structuredClone(prompt) };
}

Deno.test("the record is written at submission, before any message goes out", async () => {
  await withApp({}, async (app) => {
    await submitRequest(app);
    const methods = app.slack.calls.map((c) => c.method);
    const put = methods.findIndex((m, i) =>
      m === "apps.datastore.put" &&
      (app.slack.calls[i].args as { datastore: string }).datastore ===
        "requests"
    );
    assert(put >= 0 && put < methods.indexOf("chat.postMessage"));
    const [record] = records(app);
    assertEquals(record.history.map((h) => h.event), ["requested"]);
  });
});

Deno.test("an approver removed from config.ts before the click cannot decide", async () => {
  await withApp({}, async (app) => {
    const { prompt } = await requested(app);
    await app.setProfiles(
      PROFILES.map((p) =>
        p.attribute === "custom:prodAccess"
          ? { ...p, approverEmails: ["carol@example.com"] }
          : p
      ),
    );
    await approve(app, bob, prompt);
    assertEquals(attributeWrites(app).length, 0);
    assertIncludes(
      repliesTo(app, bob),
      "You can no longer decide this request",
    );
    assertEquals(records(app)[0].state, "pending");
    assert(!textIn(app, alice).includes("active until"));
  });
});

Deno.test("someone else's click changes nothing", async () => {
  await withApp({}, async (app) => {
    const { prompt } = await requested(app);
    await app.platform.click(carol, prompt, "Deny…");
    assertEquals(attributeWrites(app).length, 0);
    assertIncludes(
      repliesTo(app, carol),
      `Only <@${bob}> can approve or deny`,
    );
    assertEquals(records(app)[0].state, "pending");
  });
});

Deno.test("a double click makes one decision and one write", async () => {
  // Deciders race here: the claim needs its real settle time.
  await withApp({ env: REAL_SETTLE }, async (app) => {
    const { run, prompt } = await requested(app);
    await approve(app, bob, prompt);
    await approve(app, bob, prompt);
    assertEquals(attributeWrites(app).length, 1);
    assertIncludes(repliesTo(app, bob), `already approved by <@${bob}>`);
    assertEquals(records(app)[0].state, "granted");
    assertEquals(run.status, "completed");
    assertEquals(
      textIn(app, alice).split("is active until").length - 1,
      1,
      "told once",
    );
  });
});

Deno.test("two concurrent decisions: one wins, one write, the other is told", async () => {
  // Deciders race here: the claim needs its real settle time.
  await withApp({ env: REAL_SETTLE }, async (app) => {
    const { prompt } = await requested(app);
    const [, denied] = await Promise.all([
      approve(app, bob, prompt),
      deny(app, bob, prompt),
    ]);
    const [record] = records(app);
    assert(
      record.state === "granted" || record.state === "denied",
      record.state,
    );
    assertEquals(
      attributeWrites(app).length,
      record.state === "granted" ? 1 : 0,
    );
    // The loser is told (finished or in progress): in a reply to the click,
    // or in the deny modal, which stays open to say so.
    assertIncludes(
      repliesTo(app, bob) + JSON.stringify(denied),
      "already",
    );
    const outcomes = app.slack.messagesIn(alice).filter((m) =>
      /is active until|denied your request/.test(JSON.stringify(m.blocks))
    );
    assertEquals(outcomes.length, 1, "the requester is told once");
    assertEquals(
      record.history.filter((h) =>
        h.event === "approved" || h.event === "denied"
      ).length,
      1,
    );
  });
});

Deno.test("Tailscale 429 then success: the grant goes through after Retry-After", async () => {
  await withApp({}, async (app) => {
    const { run, prompt } = await requested(app);
    app.tailscale.failNext(1, {
      status: 429,
      body: { message: "rate limited" },
      headers: { "Retry-After": "1" },
    }, /\/attributes\/custom/);
    await approve(app, bob, prompt);
    assertEquals(attributeWrites(app).map((c) => c.status), [429, 200]);
    assertEquals(records(app)[0].state, "granted");
    assertIncludes(textIn(app, alice), "is active until");
    assertEquals(run.status, "completed");
  });
});

Deno.test("Tailscale 500 until give-up: failed, said to everyone, step errors", async () => {
  await withApp({ env: { TAILSCALE_RETRY_BUDGET_MS: "1500" } }, async (app) => {
    const { run, prompt } = await requested(app);
    app.tailscale.failNext(100, {
      status: 500,
      body: { message: "internal error" },
    }, /\/attributes\/custom/);
    await approve(app, bob, prompt);
    assert(attributeWrites(app).length > 1, "retried");
    const [record] = records(app);
    assertEquals(record.state, "failed");
    assertIncludes(record.error ?? "", "HTTP 500");
    for (const where of [alice, "C0NOTIFY01"]) {
      assertIncludes(textIn(app, where), "the grant *failed*");
      assertIncludes(textIn(app, where), "Gave up after");
    }
    assertIncludes(
      JSON.stringify(
        app.slack.messagesIn(bob).find((m) => m.ts === prompt.ts)?.blocks,
      ),
      "the grant *failed*",
    );
    // The decision's own step fails; the request's run ended when asked.
    assertEquals(run.status, "completed");
    assertEquals(lastDecision(app).run.status, "failed");
    assertEquals(
      app.tailscale.customAttributes(ALICE_LAPTOP)
        .attributes["custom:prodAccess"],
      undefined,
    );
  });
});

Deno.test("Tailscale unreachable at decision time: nothing granted, requester told", async () => {
  await withApp({ env: { TAILSCALE_RETRY_BUDGET_MS: "500" } }, async (app) => {
    const { run, prompt } = await requested(app);
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    app.setEnv(
      "TAILSCALE_API_URL",
      `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    );
    listener.close();
    await approve(app, bob, prompt);
    assertEquals(attributeWrites(app).length, 0);
    assertIncludes(textIn(app, alice), "Could not reach Tailscale");
    assertEquals(records(app)[0].state, "failed");
    // The decision's own step fails; the request's run ended when asked.
    assertEquals(run.status, "completed");
    assertEquals(lastDecision(app).run.status, "failed");
  });
});

Deno.test("a device deleted before approval ends the request plainly", async () => {
  await withApp({}, async (app) => {
    const { run, prompt } = await requested(app);
    app.tailscale.removeDevice(ALICE_LAPTOP);
    await approve(app, bob, prompt);
    assertEquals(attributeWrites(app).length, 0);
    assertIncludes(textIn(app, alice), "no longer exists in the tailnet");
    assertIncludes(textIn(app, bob), "no longer exists in the tailnet");
    assertEquals(records(app)[0].state, "failed");
    // The decision's own step fails; the request's run ended when asked.
    assertEquals(run.status, "completed");
    assertEquals(lastDecision(app).run.status, "failed");
  });
});

Deno.test("a crash right after the write: the next click finishes without writing again", async () => {
  await withApp({}, async (app) => {
    const { run, prompt } = await requested(app);
    app.tailscale.onCall = (call) => {
      if (call.method === "POST" && call.path.includes("/attributes/")) {
        app.killRunningEvents();
      }
    };
    await assertRejects(() => approve(app, bob, prompt));
    app.tailscale.onCall = undefined;
    assertEquals(
      app.tailscale.customAttributes(ALICE_LAPTOP)
        .attributes["custom:prodAccess"],
      true,
    );
    let [record] = records(app);
    assertEquals(record.state, "approved", "claimed, then the process died");
    assert(!textIn(app, alice).includes("active until"), "nobody was told yet");
    // Time passes beyond the claim's lease; Slack re-delivers / Bob clicks again.
    app.slack.datastore("requests").set(record.id, {
      ...record,
      decided_at: new Date(Date.now() - 10 * 60_000).toISOString(),
    });
    await approve(app, bob, prompt);
    assertEquals(attributeWrites(app).length, 1, "written once");
    [record] = records(app);
    assertEquals(record.state, "granted");
    assertIncludes(
      record.history.map((h) => h.event).join(","),
      "approved,granted,notified",
    );
    assertIncludes(textIn(app, alice), "is active until");
    assertEquals(run.status, "completed");
  });
});

Deno.test("a failed notification never hides the grant and is reported", async () => {
  await withApp({
    profiles: [{ ...PROFILES[0], notifyChannel: "C0PRIVATE1" }],
  }, async (app) => {
    await requestApproved(app);
    assertEquals(attributeWrites(app).length, 1);
    assertIncludes(textIn(app, alice), "is active until");
    assertIncludes(
      textIn(app, alice),
      "could not be delivered: notify channel C0PRIVATE1",
    );
    const [record] = records(app) as {
      state: string;
      notify_failures?: string[];
    }[];
    assertEquals(record.state, "granted");
    assertIncludes(String(record.notify_failures), "C0PRIVATE1");
  });
});

Deno.test("a device that is not the requester's own is refused unless the profile allows it", async () => {
  await withApp({}, async (app) => {
    await fillRequest(app, alice, ALICE_ASKS_BOB);
    app.platform.forge(alice, LABEL.device, {
      selected_option: {
        text: { type: "plain_text", text: "prod-db-1" },
        value: "nPR0DDB1CNTRL",
      },
    });
    const answer = await app.platform.submit(alice);
    assertEquals(answer.response_action, "errors");
    assertIncludes(
      answer.errors.device,
      "is not your own device (tagged tag:prod)",
    );
  });
  await withApp({}, async (app) => {
    await fillRequest(app, alice, {
      profile: "Jump hosts",
      device: { query: "prod-db", option: "prod-db-1" },
      reason: "db maintenance",
    });
    assertEquals(await app.platform.submit(alice), {});
    assertIncludes(
      textIn(app, bob),
      "This is a tagged device (tag:prod), not the requester's own.",
    );
  });
});
