/**
 * The functions as `slack deploy` ships them: every manifest function bundled
 * by `deno task bundle` (Deno 2.9.6's `deno bundle --output`, as the build
 * hook runs it), then the golden flow of `deno task local` played with each
 * event running the bundled `functions/<callback_id>.js` in a fresh process
 * of this test's Deno, with no import map for the app's code. CI runs it on
 * Deno 1.46.3 too: the line Slack's hosted runtime runs.
 */
import { config } from "../config.ts";
import manifest from "../manifest.ts";
import { APP_DIR, startApp } from "../dev/app.ts";
import { play, workspaceFor } from "../dev/local.ts";
import { makeStyle } from "../dev/render.ts";
import { PEOPLE } from "../dev/emulator/slack_people.ts";
import { bundledFunctions } from "../tools/bundle_functions.ts";
import { bundlerCommand } from "../dev/runtime/deps_bundle.ts";
import {
  records,
  SHORT_SETTLE_MS,
  SHORT_SPACING_MS,
  textIn,
} from "./flow_helpers.ts";
import { assert, assertEquals, assertIncludes } from "./assert.ts";

/**
 * Runs `deno task bundle --out <dir>` on a Deno that can bundle `npm:`:
 * this one if it is ≥ 2.4, else 2.9.6 from npm.
 */
async function bundleInto(dir: string): Promise<void> {
  // At a lower priority: the other test files' events, which must open
  // their modals within Slack's 3 s, run beside it.
  const [cmd, ...pre] = Deno.build.os === "windows"
    ? bundlerCommand()
    : ["nice", "-n", "10", ...bundlerCommand()];
  const out = await new Deno.Command(cmd, {
    args: [...pre, "task", "--quiet", "bundle", "--out", dir],
    cwd: APP_DIR,
    env: { NO_COLOR: "1" },
  }).output();
  if (out.code !== 0) {
    throw new Error(
      `deno task bundle failed (exit ${out.code}):\n${
        new TextDecoder().decode(out.stdout)
      }${new TextDecoder().decode(out.stderr)}`,
    );
  }
}

const fns = bundledFunctions(manifest);

Deno.test("the functions bundled as slack deploy does run the golden flow", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "tsaccess-bundle-" });
  try {
    await bundleInto(dir);

    await t.step(
      "every manifest function is bundled, and each loads with no import map",
      async () => {
        const deployed = JSON.parse(
          await Deno.readTextFile(`${dir}/manifest.json`),
        );
        assertEquals(
          Object.keys(deployed.functions).sort(),
          fns.map((f) => f.callbackId).sort(),
        );
        for (const [id, def] of Object.entries(deployed.functions)) {
          assert(
            !("source_file" in (def as object)),
            `${id} keeps source_file in manifest.json`,
          );
        }
        assertEquals(
          [...Deno.readDirSync(`${dir}/functions`)].map((e) => e.name).sort(),
          fns.map((f) => `${f.callbackId}.js`).sort(),
        );
        // Each bundle on its own, as the hosted runtime imports it: no config,
        // no import map, no network; the default export is the handler.
        const probe = `${dir}/probe.js`;
        await Deno.writeTextFile(
          probe,
          `for (const id of Deno.args) {
          const m = await import(\`./functions/\${id}.js\`);
          if (typeof m.default !== "function") throw new Error(id + ": no default handler");
          console.log(id);
        }`,
        );
        const out = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "--quiet",
            "--no-config",
            "--no-lock",
            "--allow-read",
            "--allow-env",
            probe,
            ...fns.map((f) => f.callbackId),
          ],
          cwd: dir,
          env: { NO_COLOR: "1" },
        }).output();
        assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
        assertEquals(
          new TextDecoder().decode(out.stdout).trim().split("\n"),
          fns.map((f) => f.callbackId),
        );
      },
    );

    await t.step(
      "request, approve, attribute written: every event from a bundle",
      async () => {
        const users = workspaceFor(config.profiles);
        // The short waits of tests where nothing races, as the rest of the
        // suite runs them.
        const app = await startApp({
          slack: { users },
          bundleDir: dir,
          env: { CLAIM_SETTLE_MS: String(SHORT_SETTLE_MS) },
          triggerSpacingMs: SHORT_SPACING_MS,
        });
        try {
          const t = await play(app, users, {
            decision: "approve",
            requester: "alice",
            serve: false,
            json: false,
          }, makeStyle(false));
          const profile = config.profiles.find((p) => p.attribute)!;
          const attribute = profile.attribute!;
          assert(t.ok, `${t.verdict}\napp output:\n${app.output.join("\n")}`);
          assertIncludes(t.verdict, `granted ${attribute} = true`);

          // The record, the attribute and its expiry agree with the approval.
          const device = t.data.device as string;
          const seconds = t.data.durationSeconds as number;
          const [record] = records(app);
          assertEquals(record.state, "granted");
          assertEquals(record.requester, PEOPLE.alice);
          assertEquals(record.device_id, device);
          assertEquals(record.duration_seconds, seconds);
          const attrs = app.tailscale.customAttributes(device);
          assertEquals(attrs.attributes[attribute], true);
          const expiry = attrs.expiries[attribute];
          assertEquals(record.expires_at, expiry);
          const grantedAt = Date.parse(
            record.granted_at ?? record.decided_at ?? "",
          );
          assert(
            Math.abs(Date.parse(expiry) - (grantedAt + seconds * 1000)) < 5_000,
            `expiry ${expiry} is not ${seconds} s after the grant at ${record.granted_at}`,
          );

          // The requester is told, and the workflow completed.
          assertIncludes(
            textIn(app, PEOPLE.alice),
            `Your access to *${profile.description}*`,
          );
          const run = t.data.workflow as {
            status: string;
            executions: { outputs?: Record<string, unknown> }[];
          };
          assertEquals(run.status, "completed");
          assertEquals(run.executions[1].outputs?.outcome, "requested");
          const decision = t.data.decisionRun as {
            status: string;
            executions: { outputs?: Record<string, unknown> }[];
          };
          assertEquals(decision.status, "completed");
          assertEquals(decision.executions.at(-1)?.outputs?.outcome, "granted");
          assertEquals(app.slack.blockKitViolations, []);
        } finally {
          await app.close();
        }
      },
    );

    await t.step("a missing bundle fails the event that needs it", async () => {
      const broken = `${dir}/broken`;
      await Deno.mkdir(`${broken}/functions`, { recursive: true });
      await Deno.copyFile(`${dir}/manifest.json`, `${broken}/manifest.json`);
      const users = workspaceFor(config.profiles);
      const app = await startApp({ slack: { users }, bundleDir: broken });
      try {
        const error = await app.platform.startWorkflow(
          "request_tailscale_access",
          PEOPLE.alice,
        ).then(() => null, (e) => e as Error);
        assert(error, "the workflow ran without request_access.js");
        assertIncludes(error.message, "functions/request_access.js");
        assertEquals(app.slack.messages, []);
      } finally {
        await app.close();
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
