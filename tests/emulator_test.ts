/** The emulator itself: the runtime contract, isolation and Block Kit checks. */
import { APP_DIR } from "../dev/app.ts";
import { SlackFake } from "../dev/emulator/slack.ts";
import { PEOPLE } from "../dev/emulator/slack_people.ts";
import { SlackPlatform } from "../dev/platform.ts";
import { subprocessDispatcher } from "../dev/runtime/subprocess.ts";
import { assertEquals, assertIncludes, assertRejects } from "./assert.ts";

const PROBE_DIR = `${APP_DIR}/tests/fixtures/probe_app`;

async function withProbe(
  fn: (slack: SlackFake, platform: SlackPlatform) => Promise<void>,
) {
  const slack = await SlackFake.start();
  const manifest = (await import("./fixtures/probe_app/manifest.ts")).default;
  const platform = new SlackPlatform({
    slack,
    env: {},
    // deno-lint-ignore no-explicit-any
    workflows: (manifest as any).workflows,
    dispatch: subprocessDispatcher({
      appDir: PROBE_DIR,
      importMap: `${APP_DIR}/import_map.offline.json`,
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
        bot_access_token: slack.botToken,
      },
    },
    context: {
      bot_access_token: slack.botToken,
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
