/**
 * `deno task local`, the README's first command: its options and stories,
 * the demo workspace built from config.ts, a played request that grants
 * exactly what was approved (or, denied, writes nothing), each other story
 * played once (group, lifecycle, break-glass, later, two-person,
 * escalation, doctor), and the task's command itself,
 * as it really runs (the played stories run with the short waits and
 * bundled packages of the other tests).
 */
import { config } from "../config.ts";
import { startApp } from "../dev/app.ts";
import { SLACK_CLIENT_TEST_OPTIONS } from "../dev/emulator/slack.ts";
import {
  type LocalOptions,
  parseArgs,
  parseDuration,
  play,
  playStory,
  STORIES,
  type Story,
  storySetup,
  workspaceFor,
} from "../dev/local.ts";
import { changedLines } from "../dev/local/diff.ts";
import { MISTAKES } from "../dev/local/doctor_setup.ts";
import { USAGE } from "../dev/local/options.ts";
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

const OPTS: LocalOptions = {
  decision: "approve",
  requester: "alice",
  serve: false,
  json: false,
};

/** Plays `story` on the app it needs, started as the other tests start it. */
async function playStoryOnce(story: Story) {
  const setup = storySetup(story);
  const app = await startApp({
    ...setup.app,
    env: { CLAIM_SETTLE_MS: String(SHORT_SETTLE_MS) },
    triggerSpacingMs: SHORT_SPACING_MS,
    bundledDependencies: true,
  });
  try {
    return await playStory(app, setup, { ...OPTS, story }, plain);
  } catch (e) {
    console.error(`app output:\n${app.output.join("\n")}`);
    throw e;
  } finally {
    await app.close();
  }
}

/** Every line of the transcript's sections whose title includes `title`. */
const linesUnder = (
  t: { sections: { title: string; lines: string[] }[] },
  title: string,
) => t.sections.filter((s) => s.title.includes(title)).flatMap((s) => s.lines);

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
    return await play(app, users, { ...OPTS, ...opts }, plain);
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

Deno.test("a story is chosen with one flag, and --help lists each with one line", () => {
  assertEquals(parseArgs(["--group"]), { ...OPTS, story: "group" });
  assertEquals(parseArgs(["--lifecycle", "--profile", "Production"]), {
    ...OPTS,
    story: "lifecycle",
    profile: "Production",
  });
  assertEquals(parseArgs(["--break-glass"]), { ...OPTS, story: "break-glass" });
  assertEquals(parseArgs(["--later", "--profile", "Production"]), {
    ...OPTS,
    story: "later",
    profile: "Production",
  });
  assertEquals(parseArgs(["--doctor", "--json"]), {
    ...OPTS,
    story: "doctor",
    json: true,
  });
  assertIncludes(
    assertThrows(() => parseArgs(["--group", "--doctor"])).message,
    "choose one story",
  );
  assertIncludes(
    assertThrows(() => parseArgs(["--group", "--decision", "deny"])).message,
    "--decision does not apply to the --group story",
  );
  for (const [story, line] of Object.entries(STORIES)) {
    const flag = story === "request" ? "(no flag)" : `--${story}`;
    assert(
      USAGE.split("\n").some((l) => l.includes(flag) && l.includes(line)),
      `--help lists ${flag}`,
    );
  }
});

Deno.test("the policy diff shows only the changed lines, removed before added", () => {
  assertEquals(changedLines("a\nb\nc", "a\nB\nc"), ["- b", "+ B"]);
  assertEquals(changedLines("a\nc", "a\nb\nc"), ["+ b"]);
  assertEquals(changedLines("a\nb", "a\nb"), []);
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

Deno.test("the group story shows the login added as a diff, then removed at the end", async () => {
  const t = await playStoryOnce("group");
  assert(t.ok, t.verdict);
  assertIncludes(t.verdict, "alice@example.com was in group:prod");
  // config.ts has no group profile: the demo one is swapped in, and said.
  assertIncludes(t.sections[0].title, "config.ts has no group profile");
  assertEquals(linesUnder(t, "after the approval (changed lines only)"), [
    '  -     "group:prod": ["carol@example.com"], // on call',
    '  +     "group:prod": ["carol@example.com", "alice@example.com"], // on call',
  ]);
  assertEquals(linesUnder(t, "after the end (changed lines only)"), [
    '  -     "group:prod": ["carol@example.com", "alice@example.com"], // on call',
    '  +     "group:prod": ["carol@example.com"], // on call',
  ]);
  assertIncludes(
    linesUnder(t, "After the end").join("\n"),
    "was removed from `group:prod`",
  );
});

Deno.test("the lifecycle story extends, reminds, expires and revokes, showing each message", async () => {
  const t = await playStoryOnce("lifecycle");
  assert(t.ok, t.verdict);
  assertIncludes(t.verdict, "extended by 1 hour");
  assertIncludes(linesUnder(t, "The reminder").join("\n"), "[ Extend… ]");
  assertIncludes(linesUnder(t, "At the end").join("\n"), "ended");
  assertIncludes(linesUnder(t, "After the revoke").join("\n"), "was revoked");
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

Deno.test("the break-glass story grants at once, tells the approvers, and one acknowledges", async () => {
  const t = await playStoryOnce("break-glass");
  assert(t.ok, t.verdict);
  assertIncludes(t.verdict, "at once, without an approver");
  assertIncludes(t.verdict, "acknowledged by Bob Baker on the record");
  assertIncludes(t.sections[0].title, "this run adds it to Production");
  assertIncludes(
    linesUnder(t, "After the emergency request: messages to Bob Baker").join(),
    "[ Acknowledge ] [ Revoke ]",
  );
  assertIncludes(
    linesUnder(t, "the channel C0NOTIFY01").join("\n"),
    "@Bob Baker @Carol Chen: please review it",
  );
  assertIncludes(
    linesUnder(t, "opens “My Tailscale access”").join(),
    "acknowledged by @Bob Baker",
  );
});

Deno.test("the later story grants nothing before the start, then until start + duration", async () => {
  const t = await playStoryOnce("later");
  assert(t.ok, t.verdict);
  assertIncludes(t.verdict, "(1 hour from the start)");
  assertEquals(linesUnder(t, "five minutes before the start"), [
    "  (not set)",
  ]);
  assertIncludes(linesUnder(t, "After the approval").join(), "starts later");
  assertIncludes(linesUnder(t, "At the start").join(), "is active until");
});

Deno.test("the two-person story grants nothing at one approval and once at the second", async () => {
  const t = await playStoryOnce("two-person");
  assert(t.ok, t.verdict);
  assertIncludes(t.verdict, "approved by Bob Baker and Carol Chen");
  assertIncludes(
    linesUnder(t, "After the first approval: messages to Carol Chen").join(),
    "1 of 2 approvals: @Bob Baker",
  );
  assertIncludes(
    linesUnder(t, "After the second approval: messages to Alice").join(),
    "approved by @Bob Baker and @Carol Chen",
  );
});

Deno.test("the escalation story offers the request to the other approver and the channel", async () => {
  const t = await playStoryOnce("escalation");
  assert(t.ok, t.verdict);
  assertIncludes(t.verdict, "after 30 minutes it was offered to Carol Chen");
  assertIncludes(
    linesUnder(t, "After the escalation time: messages to the channel").join(),
    "No decision after 30 minutes",
  );
  assertIncludes(
    linesUnder(t, "After the escalation time: messages to Carol").join(),
    "[ Approve ]",
  );
});

// Last: the SDK client's process-wide timer would be reported as a leak, on
// Deno 1.x, by whichever test follows (see SLACK_CLIENT_TEST_OPTIONS).
Deno.test(
  "the doctor story shows each deliberate mistake as its ✗ or !",
  SLACK_CLIENT_TEST_OPTIONS,
  async () => {
    const t = await playStoryOnce("doctor");
    assert(t.ok, t.verdict);
    const report = t.sections.flatMap((s) => s.lines).join("\n");
    for (const m of MISTAKES) {
      const mark = m.status === "fail" ? "✗" : "!";
      assert(
        report.split("\n").some((l) =>
          l.includes(`${mark} `) && l.includes(m.mentions)
        ),
        `the report shows ${mark} for: ${m.what}`,
      );
    }
  },
);
