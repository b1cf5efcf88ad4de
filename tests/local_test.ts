/**
 * `deno task local`, the README's first command: its options, the demo
 * workspace built from config.ts, and a played request that grants exactly
 * what was approved (or, denied, writes nothing), and the task's command
 * itself, as it really runs (the played requests run with the short waits
 * and bundled packages of the other tests).
 */
import { config } from "../config.ts";
import { startApp } from "../dev/app.ts";
import {
  type LocalOptions,
  parseArgs,
  parseDuration,
  play,
  workspaceFor,
} from "../dev/local.ts";
import { makeStyle } from "../dev/render.ts";
import { SHORT_SETTLE_MS, SHORT_SPACING_MS } from "./flow_helpers.ts";
import { APP_DIR } from "../dev/app.ts";
import {
  assert,
  assertEquals,
  assertIncludes,
  assertThrows,
} from "./assert.ts";

const plain = makeStyle(false);

async function playWith(opts: Partial<LocalOptions>) {
  const users = workspaceFor(config.profiles);
  // With the short waits of tests where nothing races, and the npm packages
  // bundled: the last test runs the task's own command, as it really runs.
  const app = await startApp({
    slack: { users },
    env: { CLAIM_SETTLE_MS: String(SHORT_SETTLE_MS) },
    triggerSpacingMs: SHORT_SPACING_MS,
    bundledDependencies: true,
  });
  try {
    return await play(app, users, {
      decision: "approve",
      requester: "alice",
      serve: false,
      json: false,
      ...opts,
    }, plain);
  } finally {
    await app.close();
  }
}

Deno.test("options and durations are read as documented", () => {
  assertEquals(parseArgs([]), {
    decision: "approve",
    requester: "alice",
    serve: false,
    json: false,
  });
  assertEquals(
    parseArgs(["--decision=deny", "--profile", "Staging", "--json"]),
    {
      decision: "deny",
      requester: "alice",
      serve: false,
      json: true,
      profile: "Staging",
    },
  );
  assertEquals(parseArgs(["--help"]), "help");
  assertIncludes(
    assertThrows(() => parseArgs(["--decision", "maybe"])).message,
    "approve or deny",
  );
  assertIncludes(
    assertThrows(() => parseArgs(["--nope"])).message,
    "unknown option",
  );
  assertEquals([
    parseDuration("90m"),
    parseDuration("2h"),
    parseDuration("1d"),
    parseDuration("300"),
  ], [5400, 7200, 86400, 300]);
  assertThrows(() => parseDuration("soon"));
});

Deno.test("config.ts approvers unknown to the demo workspace are added to it", () => {
  const users = workspaceFor([{
    ...config.profiles[0],
    approverEmails: ["zoe.quinn@corp.example"],
  }]);
  const zoe = users.find((u) => u.email === "zoe.quinn@corp.example");
  assertEquals(zoe?.real_name, "Zoe Quinn");
});

Deno.test("the default run grants exactly what was approved", async () => {
  const t = await playWith({});
  assert(t.ok, t.verdict);
  assertIncludes(t.verdict, `granted ${config.profiles[0].attribute} = true`);
  const titles = t.sections.map((s) => s.title).join("\n");
  assertIncludes(titles, "receives a direct message");
  assertIncludes(titles, "Tailscale API calls the app made");
  assertIncludes(
    t.sections.find((s) => s.title.startsWith("Custom attributes"))!.lines
      .join(),
    "expires",
  );
});

Deno.test("a denied run writes nothing and still succeeds as decided", async () => {
  const t = await playWith({ decision: "deny" });
  assert(t.ok, t.verdict);
  assertIncludes(t.verdict, "nothing was written");
});

Deno.test("a duration the profile does not offer is refused with the choices", async () => {
  const e = await playWith({ duration: "9d" }).then(
    () => null,
    (e) => e as Error,
  );
  assertIncludes(e?.message ?? "", "offers");
});

Deno.test("the task's command exits 0 after a complete grant", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--import-map=import_map.offline.json",
      "--allow-net=127.0.0.1",
      "--allow-env",
      "--allow-read",
      "--allow-write",
      "--allow-run",
      "dev/local.ts",
    ],
    cwd: APP_DIR,
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assertEquals(out.code, 0, text + new TextDecoder().decode(out.stderr));
  assertIncludes(text, "✔ Result: granted");
  assert(!text.includes("\x1b["), "no colour when not a terminal");
});
