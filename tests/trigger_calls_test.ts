/**
 * The app's `workflows.triggers.*` calls (lib/slack/trigger_calls.ts and its
 * users): retried through Slack's misleading `token_revoked` and through
 * `ratelimited`, within the handler's deadline, spaced so that a burst
 * never happens, every scheduled start at least 60 s ahead, and a grant
 * whose expiry trigger could not be made still ended by reconciliation.
 */
import {
  type RecordedSlackCall,
  SLACK_CLIENT_TEST_OPTIONS,
} from "../dev/emulator/slack.ts";
import type { ConfigInput } from "../lib/config_schema.ts";
import { Deadline } from "../lib/slack/deadline.ts";
import { ensureReconcileSchedule } from "../lib/grants/reconcile_schedule.ts";
import {
  grantEvents,
  MIN_START_LEAD_MS,
  type Planned,
  scheduleEvents,
} from "../lib/grants/schedule.ts";
import {
  DEFAULT_TRIGGER_SPACING_MS,
  TRIGGER_SPACING_MS,
  triggerCall,
  triggerSpacingMsFrom,
} from "../lib/slack/trigger_calls.ts";
import { assert, assertEquals, assertIncludes } from "./assert.ts";
import { withFake } from "./slack_fake_helpers.ts";
import {
  ALICE_LAPTOP,
  PEOPLE,
  PROFILES,
  REAL_SPACING,
  records,
  requestApproved,
  requestGranted,
  submitRequest,
  textIn,
  withApp,
} from "./flow_helpers.ts";
import { WORKFLOWS } from "../lib/context.ts";
import type { SlackClient } from "../lib/context.ts";

type Client = SlackClient;

const { alice } = PEOPLE;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const TRIGGER_METHODS = ["create", "update", "delete", "list"].map((m) =>
  `workflows.triggers.${m}`
);

/** Every trigger-method call the fake answered, in order. */
function triggerCalls(fake: { calls: RecordedSlackCall[] }) {
  return fake.calls.filter((c) => TRIGGER_METHODS.includes(c.method));
}

/** Milliseconds between consecutive calls (by the fake's clock). */
function gaps(calls: RecordedSlackCall[]): number[] {
  return calls.slice(1).map((c, i) => c.at! - calls[i].at!);
}

/** A scheduled trigger's start, less when its call arrived. */
function leadOf(call: RecordedSlackCall): number {
  const schedule = call.args.schedule as { start_time: string };
  return Date.parse(schedule.start_time) - call.at!;
}

const errors = (calls: RecordedSlackCall[]) =>
  calls.map((c) => c.response.ok ? "ok" : String(c.response.error));

// --- retries -----------------------------------------------------------------

Deno.test(
  "a token_revoked answer is a burst: the trigger is created on a retry after a pause",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    await withFake(async (fake, client) => {
      fake.failNextTriggerCalls(1, "token_revoked");
      const end = new Date(Date.now() + 2 * HOUR);
      const entries = await scheduleEvents(
        client,
        "req12345",
        grantEvents(end),
      );
      assertEquals(entries.map((e) => e.split(":")[0]), ["reminder", "expiry"]);
      const calls = triggerCalls(fake);
      assertEquals(errors(calls), ["token_revoked", "ok", "ok"]);
      assert(
        gaps(calls)[0] >= DEFAULT_TRIGGER_SPACING_MS,
        `retried ${gaps(calls)}`,
      );
      assertEquals(fake.triggers.size, 2);
    });
  },
);

Deno.test(
  "ratelimited is retried after its Retry-After, and without one with growing backoff",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    await withFake(async (fake, client) => {
      // As Slack sends it: HTTP 429 with Retry-After (the SDK throws).
      fake.failNextTriggerCalls(1, "ratelimited", { retryAfterSeconds: 1 });
      const listed = await triggerCall(client, "list", {});
      assert(listed.ok, JSON.stringify(listed));
      const first = triggerCalls(fake);
      assertEquals(errors(first), ["ratelimited", "ok"]);
      assert(gaps(first)[0] >= 1000, `waited ${gaps(first)[0]} ms`);

      // In a 200 answer with no Retry-After: backoff that doubles.
      fake.failNextTriggerCalls(3, "ratelimited", { status: 200 });
      const again = await triggerCall(client, "list", {});
      assert(again.ok, JSON.stringify(again));
      const calls = triggerCalls(fake).slice(first.length);
      assertEquals(errors(calls), [
        "ratelimited",
        "ratelimited",
        "ratelimited",
        "ok",
      ]);
      const [g1, g2, g3] = gaps(calls);
      assert(g1 >= 300 && g2 >= 300 && g3 >= 500, `gaps ${gaps(calls)}`);
      assert(g3 >= g1, `backoff grows: ${gaps(calls)}`);
    });
  },
);

Deno.test(
  "server errors are retried; an argument error and a token that stays revoked are not retried for long",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    await withFake(async (fake, client) => {
      fake.failNextTriggerCalls(1, "service_unavailable", { status: 503 });
      fake.failNextTriggerCalls(1, "internal_error");
      assert((await triggerCall(client, "list", {})).ok);
      assertEquals(errors(triggerCalls(fake)), [
        "service_unavailable",
        "internal_error",
        "ok",
      ]);

      const before = triggerCalls(fake).length;
      const bad = await triggerCall(
        client,
        "delete",
        // Deliberately without its trigger_id: Slack refuses it.
        {} as { trigger_id: string },
      );
      assertEquals(bad.error, "invalid_arguments");
      assertEquals(triggerCalls(fake).length, before + 1, "not retried");

      // A token that really was revoked keeps saying so: three tries.
      fake.failNextTriggerCalls(10, "token_revoked");
      const revoked = await triggerCall(client, "list", {});
      assertEquals(revoked.error, "token_revoked");
      assertEquals(triggerCalls(fake).length, before + 1 + 3);
    });
  },
);

// --- the deadline ------------------------------------------------------------

Deno.test(
  "no retry waits past the deadline: Retry-After that does not fit is not waited for",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    await withFake(async (fake, client) => {
      fake.failNextTriggerCalls(100, "ratelimited", { retryAfterSeconds: 1 });
      // Room for one wait of 1 s (and the attempt after it), not two.
      let deadline = new Deadline(2600);
      let t0 = performance.now();
      let res = await triggerCall(client, "list", {}, deadline);
      let took = performance.now() - t0;
      assertEquals(res.error, "ratelimited");
      assertEquals(triggerCalls(fake).length, 2, "one retry fitted");
      assert(took >= 1000 && took < 2600, `took ${took} ms`);

      // No room for any wait: one attempt, at once.
      deadline = new Deadline(1500);
      t0 = performance.now();
      res = await triggerCall(client, "list", {}, deadline);
      took = performance.now() - t0;
      assertEquals(res.error, "ratelimited");
      assertEquals(triggerCalls(fake).length, 3);
      assert(took < 1000, `took ${took} ms`);
    });
  },
);

Deno.test(
  "spacing never waits past the deadline either",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    await withFake(async (fake, client) => {
      assert((await triggerCall(client, "list", {})).ok);
      const t0 = performance.now();
      assert((await triggerCall(client, "list", {}, new Deadline(50))).ok);
      const took = performance.now() - t0;
      assert(took < 200, `waited ${took} ms for spacing past a 50 ms deadline`);
      assertEquals(triggerCalls(fake).length, 2);
    }, { refuseTriggerBursts: false });
  },
);

// --- spacing -----------------------------------------------------------------

Deno.test("the spacing is 300 ms, here too, unless the process environment sets another", () => {
  // The tests in this file that call triggerCall directly pin the real
  // spacing: nothing in this process shortens it.
  assertEquals(TRIGGER_SPACING_MS, DEFAULT_TRIGGER_SPACING_MS);
  assertEquals(DEFAULT_TRIGGER_SPACING_MS, 300);
  assertEquals(triggerSpacingMsFrom({ TRIGGER_SPACING_MS: "150" }), 150);
  for (const odd of [undefined, "", "0", "-5", "1.5", "soon"]) {
    assertEquals(triggerSpacingMsFrom({ TRIGGER_SPACING_MS: odd }), 300, odd);
  }
});

Deno.test(
  "the four reconciliation triggers are created without Slack ever answering token_revoked",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    await withFake(async (fake, client) => {
      const t0 = performance.now();
      assertEquals(await ensureReconcileSchedule(client), 4);
      const took = performance.now() - t0;
      const calls = triggerCalls(fake);
      assertEquals(errors(calls), ["ok", "ok", "ok", "ok", "ok"]);
      for (const gap of gaps(calls)) {
        assert(
          gap >= DEFAULT_TRIGGER_SPACING_MS - 50,
          `calls ${gaps(calls)} ms apart`,
        );
      }
      console.log(`list + 4 creates: ${Math.round(took)} ms`);
      // Again: all four are there; one list, nothing created.
      assertEquals(await ensureReconcileSchedule(client), 0);
      assertEquals(triggerCalls(fake).length, 6);
      assertEquals(
        [...fake.triggers.values()].filter((t) =>
          (t.workflow as { callback_id: string }).callback_id ===
            WORKFLOWS.reconcile
        ).length,
        4,
      );
    });
  },
);

Deno.test(
  "trigger calls made at the same time are spaced too",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    await withFake(async (fake, client) => {
      const now = new Date();
      const [entries, created] = await Promise.all([
        scheduleEvents(client, "req12345", grantEvents(new Date(+now + HOUR))),
        ensureReconcileSchedule(client, now),
      ]);
      assertEquals(entries.length, 2);
      assertEquals(created, 4);
      const calls = triggerCalls(fake);
      assertEquals(errors(calls), Array(7).fill("ok"));
      for (const gap of gaps(calls)) {
        assert(
          gap >= DEFAULT_TRIGGER_SPACING_MS - 50,
          `calls ${gaps(calls)} ms apart`,
        );
      }
    });
  },
);

// --- start times -------------------------------------------------------------

Deno.test(
  "scheduled starts: sooner than 60 s is moved to 60 s, a passed or moot reminder is skipped",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    await withFake(async (fake, client) => {
      const now = Date.now();
      const at = (ms: number) => new Date(now + ms);
      const planned: Planned[] = [
        { event: "resume", at: at(0) },
        { event: "expiry", at: at(-5 * MINUTE) },
        // Too close: moved to 60 s, still before its end.
        { event: "reminder", at: at(20_000), latest: at(10 * MINUTE) },
        // Its moment has passed (a grant shorter than the reminder's lead).
        { event: "reminder", at: at(-1000), latest: at(10 * MINUTE) },
        // Moving it would put it after the end.
        { event: "reminder", at: at(20_000), latest: at(50_000) },
        { event: "nudge", at: at(2 * HOUR), latest: at(4 * HOUR) },
      ];
      const entries = await scheduleEvents(client, "req12345", planned);
      assertEquals(entries.map((e) => e.split(":")[0]), [
        "resume",
        "expiry",
        "reminder",
        "nudge",
      ]);
      const creates = fake.callsTo("workflows.triggers.create");
      assertEquals(errors(creates), ["ok", "ok", "ok", "ok"]);
      for (const call of creates) {
        assert(leadOf(call) >= MIN_START_LEAD_MS, `lead ${leadOf(call)} ms`);
      }
      // Moved ones start about 60 s out; the later one keeps its time.
      assert(leadOf(creates[2]) < MIN_START_LEAD_MS + 5000);
      assertEquals(
        (creates[3].args.schedule as { start_time: string }).start_time,
        at(2 * HOUR).toISOString(),
      );
    });
  },
);

const FLOW_PROFILES: ConfigInput["profiles"] = [...PROFILES, {
  description: "Prod group",
  group: "group:prod",
  maxSeconds: 2 * 3600,
  approverEmails: ["bob@example.com"],
  notifyChannel: "C0NOTIFY01",
}, {
  // 15½ minutes: its reminder would be due 30 s after the grant.
  description: "Short",
  attribute: "custom:shortAccess",
  maxSeconds: 15 * 60 + 30,
  canSelfApprove: true,
}];

Deno.test(
  "every scheduled trigger the app creates in a full flow starts at least 60 s after its call, and no trigger call is refused",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    await withApp({
      // The app's own spacing: the claim is that it never makes a burst.
      ...REAL_SPACING,
      profiles: FLOW_PROFILES,
      tailscale: {
        scopes: [
          "devices:core:read",
          "devices:posture_attributes",
          "policy_file",
          "users:read",
        ],
      },
    }, async (app) => {
      // A pending request (nudge, timeout), an attribute grant (reminder,
      // expiry), a group grant (the reconciliation schedule too), one of
      // 15 minutes (its reminder would be now: none), a self-service one of
      // 15½ minutes (its reminder moved to 60 s out), then every trigger runs.
      await requestGranted(app);
      const short = await submitRequest(app, {
        profile: "Short",
        device: { query: "alice", option: "alice-laptop" },
        duration: "15 minutes 30 seconds",
        reason: "deploy check",
      });
      assertEquals(short.answer, {});
      await requestApproved(app, {
        profile: "Prod group",
        duration: "15 minutes",
        approver: "*Bob Baker*",
        reason: "INC-7",
      });
      await app.platform.advanceClock(HOUR + 5 * MINUTE);
      const calls = triggerCalls(app.slack);
      const creates = calls.filter((c) =>
        c.method === "workflows.triggers.create" && c.args.type === "scheduled"
      );
      // nudge+timeout twice, reminder+expiry twice, expiry alone, four checks.
      assertEquals(
        creates.map((c) => String(c.args.name).replace(/ \(.*/, "")).sort(),
        [
          ...Array(3).fill("Tailscale access expiry"),
          "Tailscale access nudge",
          "Tailscale access nudge",
          "Tailscale access reminder",
          "Tailscale access reminder",
          "Tailscale access timeout",
          "Tailscale access timeout",
          ...Array(4).fill("Tailscale group access check"),
        ],
        JSON.stringify(errors(calls)),
      );
      for (const call of creates) {
        assertEquals(call.response.ok, true, JSON.stringify(call.response));
        assert(leadOf(call) >= MIN_START_LEAD_MS, `lead ${leadOf(call)} ms`);
      }
      assertEquals(
        calls.filter((c) =>
          !c.response.ok && c.response.error !== "trigger_not_found"
        )
          .map((c) => `${c.method}: ${c.response.error}`),
        [],
      );
      assertEquals(
        records(app).map((r) => r.state).sort(),
        ["expired", "expired", "expired"],
      );
    });
  },
);

// --- a lost expiry trigger -----------------------------------------------------

Deno.test(
  "an attribute grant whose expiry trigger could never be created is ended by reconciliation",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    // Tailscale would drop the expired attribute itself only "within a few
    // minutes"; here it keeps it, so only the app's own removal counts.
    await withApp({
      profiles: PROFILES,
      tailscale: { expiryLingerMs: 2 * HOUR },
    }, async (app) => {
      app.slack.failNextTriggerCalls(1000, "internal_error", {
        method: "create",
        match: /Tailscale access expiry/,
      });
      const { record: granted } = await requestGranted(app);
      assertEquals(
        granted.schedule?.map((e) => e.split(":")[0]),
        ["reminder"],
        "no expiry trigger",
      );
      // The periodic check was set up in its place.
      const checks = [...app.slack.triggers.values()].filter((t) =>
        (t.workflow as { callback_id: string }).callback_id ===
          WORKFLOWS.reconcile
      );
      assertEquals(checks.length, 4);
      await app.platform.advanceClock(HOUR + 20 * MINUTE);
      const ended = records(app).find((r) => r.id === granted.id)!;
      assertEquals(ended.state, "expired");
      assertEquals(
        app.tailscale.callsTo("DELETE", /\/attributes\/custom:prodAccess$/)
          .length,
        1,
        "the app removed the attribute",
      );
      assertEquals(
        app.tailscale.customAttributes(ALICE_LAPTOP).attributes[
          "custom:prodAccess"
        ],
        undefined,
      );
      assertIncludes(textIn(app, "C0NOTIFY01"), "Scheduled access check");
      assertIncludes(textIn(app, alice), "ended");
    });
  },
);
