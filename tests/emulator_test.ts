/**
 * The emulated runtime itself, with probe functions: every event in a fresh
 * process, Block Kit that Slack would reject failing the run, Slack's 60 s
 * and 10 s limits enforced, no execution completing another, no action on
 * a completed execution's message, and events delivered again.
 */
import { APP_DIR } from "../dev/app.ts";
import { SlackFake, type SlackFakeOptions } from "../dev/emulator/slack.ts";
import { PEOPLE } from "../dev/emulator/slack_people.ts";
import {
  ACTION_DROPPED,
  HANDLER_TIMED_OUT,
  SlackPlatform,
} from "../dev/platform.ts";
import {
  type HandlerLimits,
  SLACK_HANDLER_LIMITS,
  subprocessDispatcher,
} from "../dev/runtime/subprocess.ts";
import {
  assert,
  assertEquals,
  assertIncludes,
  assertRejects,
} from "./assert.ts";

const PROBE_DIR = `${APP_DIR}/tests/fixtures/probe_app`;

async function withProbe(
  fn: (slack: SlackFake, platform: SlackPlatform) => Promise<void>,
  opts: { limits?: HandlerLimits; slack?: SlackFakeOptions } = {},
) {
  const slack = await SlackFake.start(opts.slack);
  const manifest = (await import("./fixtures/probe_app/manifest.ts")).default;
  const platform = new SlackPlatform({
    slack,
    env: {},
    // deno-lint-ignore no-explicit-any
    workflows: (manifest as any).workflows,
    dispatch: subprocessDispatcher({
      appDir: PROBE_DIR,
      importMap: `${APP_DIR}/import_map.offline.json`,
      ...(opts.limits ? { limits: opts.limits } : {}),
    }),
  });
  try {
    await fn(slack, platform);
  } finally {
    await slack.close();
  }
}

function functionExecuted(slack: SlackFake, id: string) {
  return {
    body: {
      type: "event_callback",
      event: {
        type: "function_executed",
        function: { callback_id: "counter" },
        function_execution_id: id,
        inputs: {},
        // Each execution has its own token, which alone may complete it.
        bot_access_token: slack.executionToken(id),
      },
    },
    context: {
      bot_access_token: slack.executionToken(id),
      team_id: "T0FAKETEAM",
      variables: { SLACK_API_URL: slack.apiUrl },
    },
  };
}

Deno.test("every event runs in a fresh process: no state survives", async () => {
  await withProbe(async (slack) => {
    const dispatch = subprocessDispatcher({
      appDir: PROBE_DIR,
      importMap: `${APP_DIR}/import_map.offline.json`,
    });
    await dispatch(functionExecuted(slack, "Fx1"));
    await dispatch(functionExecuted(slack, "Fx2"));
    assertEquals(
      slack.completions.map((
        c,
      ) => [c.function_execution_id, c.kind, c.outputs]),
      [["Fx1", "success", { count: 1 }], ["Fx2", "success", { count: 1 }]],
    );
  });
});

Deno.test("Block Kit that Slack rejects fails the run with its path", async () => {
  await withProbe(async (_slack, platform) => {
    const e = await assertRejects(() =>
      platform.startWorkflow("bad_view", PEOPLE.alice)
    );
    assertIncludes(e.message, "views.open /view/title/text");
  });
});

Deno.test("a crashing event is reported with the app's own error", async () => {
  await withProbe(async (slack) => {
    const dispatch = subprocessDispatcher({
      appDir: PROBE_DIR,
      importMap: `${APP_DIR}/import_map.offline.json`,
    });
    const payload = functionExecuted(slack, "Fx3");
    payload.body.event.function.callback_id = "no_such_function";
    const e = await assertRejects(() => dispatch(payload));
    assertIncludes(e.message, 'no function "no_such_function" in the manifest');
  });
});

/** Slack's limits, shrunk so the tests need not wait a minute. */
const SHORT_LIMITS: HandlerLimits = { functionMs: 1500, interactionMs: 1500 };

Deno.test("Slack's limits are the documented 60 s and 10 s", () => {
  assertEquals(SLACK_HANDLER_LIMITS, {
    functionMs: 60_000,
    interactionMs: 10_000,
  });
});

Deno.test("a step that runs past its limit is stopped and its run fails", async () => {
  await withProbe(async (_slack, platform) => {
    const run = await platform.startWorkflow("sleep", PEOPLE.alice, {
      ms: 5000,
    });
    assertEquals(run.status, "failed");
    assertIncludes(run.executions[0].error ?? "", "exceeded 1.5s timeout");
    assertEquals(platform.timeouts.map((t) => t.event), ["function_executed"]);
  }, { limits: SHORT_LIMITS });
});

Deno.test("a click whose handler runs past its limit shows the person Slack's error", async () => {
  await withProbe(async (slack, platform) => {
    const run = await platform.startWorkflow("sleep", PEOPLE.alice, { ms: -1 });
    const [message] = slack.messagesIn(PEOPLE.alice);
    const answer = await platform.click(PEOPLE.alice, message, "Sleep");
    assertEquals(answer, HANDLER_TIMED_OUT);
    assertEquals(platform.timeouts.map((t) => t.event), ["block_actions"]);
    assertEquals(run.status, "running", "the step itself goes on");
  }, { limits: SHORT_LIMITS });
});

Deno.test("one execution may not complete another: access_denied, unless allowed", async () => {
  for (const allow of [false, true]) {
    await withProbe(async (_slack, platform) => {
      const waiting = await platform.startWorkflow("sleep", PEOPLE.alice, {
        ms: -1,
      });
      const other = waiting.executions[0].id;
      const run = await platform.startWorkflow("finish", PEOPLE.alice, {
        other,
      });
      assertEquals(
        run.executions[0].outputs?.answer,
        allow ? "ok" : "access_denied",
      );
      assertEquals(waiting.status, allow ? "completed" : "running");
    }, { slack: { allowCrossExecutionCompletion: allow } });
  }
});

Deno.test("a click on a completed execution's message is not delivered", async () => {
  await withProbe(async (slack, platform) => {
    const run = await platform.startWorkflow("finish", PEOPLE.alice);
    assertEquals(run.status, "completed");
    const [message] = slack.messagesIn(PEOPLE.alice);
    assertEquals(
      await platform.click(PEOPLE.alice, message, "Late click"),
      ACTION_DROPPED,
    );
    assertEquals(platform.dropped.map((d) => d.type), ["block_actions"]);
    assert(
      !slack.messagesIn(PEOPLE.alice).some((m) => m.text === "clicked"),
      "the handler never ran",
    );
  });
});

Deno.test("an event can be delivered again, to a fresh process, as Slack may", async () => {
  await withProbe(async (slack, platform) => {
    const run = await platform.startWorkflow("finish", PEOPLE.alice);
    assertEquals(run.status, "completed");
    await platform.redeliver("finisher");
    assertEquals(slack.messagesIn(PEOPLE.alice).length, 2, "it ran twice");
    assertEquals(
      platform.deliveries.map((d) => d.execution.id),
      [run.executions[0].id, run.executions[0].id],
    );
  });
});
