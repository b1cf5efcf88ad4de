/**
 * `deno task bench`: the device picker on 1,000 / 5,000 / 20,000-device
 * tailnets, with the cached index against a naive baseline (list every
 * device on every keystroke, as Tailscale's example accessbot does), in the
 * same run. Every event runs in a fresh process, Tailscale answers with
 * 150 ms and Slack with 50 ms of added latency. Prints figures; asserts
 * nothing.
 *
 * Two profiles: one for the requester's own devices (the default) and one
 * with `allowAnyDevice`, whose picker searches the whole tailnet. The own
 * devices' cold query (no index yet) asks Tailscale only for the person's
 * devices; "own, unfiltered" is the same picker refreshing the whole index
 * instead, as before, for comparison.
 *
 * Then the end of access: from a grant's planned end to its attribute being
 * gone from Tailscale, with the app removing it at its expiry event, against
 * Tailscale alone (the emulator keeps an expired attribute for its linger,
 * as Tailscale does for "a few minutes").
 *
 * @module
 */
import { type ConfigInput, parseConfig } from "../lib/config_schema.ts";
import { APP_DIR, startApp, type TestApp } from "./app.ts";
import { demoTailnet, manyDevices } from "./emulator/demo_tailnet.ts";
import { PEOPLE } from "./emulator/slack_people.ts";
import { workspaceFor } from "./local.ts";

/** Tailnet sizes; `deno task bench 1000,5000` measures others. */
const SIZES = Deno.args[0]
  ? Deno.args[0].split(",").map(Number)
  : [1_000, 5_000, 20_000];
const QUERIES = [
  "",
  "a",
  "al",
  "alice",
  "host",
  "host-0",
  "host-00",
  "host-001",
  "host-0012",
  "100.",
  "100.80",
  "100.80.0",
  "nH",
  "nH0000",
  "prod",
  "bob",
  "jump",
  "mbp",
  "zzz",
  "host-19999",
];
const DEVICE = "From which device?";

/** Which picker: own devices or any device; cached index or naive listing. */
type Mode = "own, cached" | "own, unfiltered" | "any, cached" | "own, naive";
const MODES: Mode[] = [
  "own, cached",
  "own, unfiltered",
  "any, cached",
  "own, naive",
];
/** Cold queries per mode and size (the index deleted before each). */
const COLD_RUNS = 5;

const PROFILES: ConfigInput["profiles"] = [
  {
    description: "Production",
    attribute: "custom:prodAccess",
    maxSeconds: 8 * 3600,
    approverEmails: ["bob@example.com"],
  },
  {
    description: "Jump hosts",
    attribute: "custom:jumpAccess",
    approverEmails: ["bob@example.com"],
    allowAnyDevice: true,
  },
];

type Row = {
  devices: number;
  mode: Mode;
  median: number;
  p95: number;
  cold: number;
  coldBytes: number;
  flow: {
    listings: number;
    reads: number;
    writes: number;
    tokens: number;
    bytes: number;
  };
  bytesPerWarmQuery: number;
};

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

async function withTailnet<T>(
  size: number,
  mode: Mode,
  fn: (app: TestApp) => Promise<T>,
): Promise<T> {
  const demo = demoTailnet();
  const app = await startApp({
    profiles: PROFILES,
    tailscale: {
      devices: [...demo, ...manyDevices(size - demo.length)],
      latencyMs: 150,
    },
    slack: {
      users: workspaceFor(parseConfig({ profiles: PROFILES }).profiles),
      latencyMs: 50,
    },
    env: mode.endsWith("naive")
      ? { DEVICE_PICKER_CACHE: "off" }
      : mode.endsWith("unfiltered")
      ? { DEVICE_PICKER_USER_FILTER: "off" }
      : {},
  });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

/** Bytes Tailscale sent since call number `from`. */
function bytesSince(app: TestApp, from: number): number {
  return app.tailscale.calls.slice(from)
    .reduce((sum, c) => sum + c.responseBytes, 0);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Opens the form as Alice and chooses the mode's profile. */
async function openForm(app: TestApp, mode: Mode) {
  await app.platform.startWorkflow("request_tailscale_access", PEOPLE.alice);
  await app.platform.choose(
    PEOPLE.alice,
    "What do you need access to?",
    mode.startsWith("any") ? "Jump hosts" : "Production",
  );
}

async function measureQueries(size: number, mode: Mode) {
  return await withTailnet(size, mode, async (app) => {
    await openForm(app, mode);
    const colds: number[] = [];
    const coldBytes: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      app.slack.datastore("device_index").delete("meta");
      const from = app.tailscale.calls.length;
      colds.push(
        await timed(() => app.platform.suggest(PEOPLE.alice, DEVICE, "")),
      );
      coldBytes.push(bytesSince(app, from));
    }
    // Warm queries find a fresh index, as after the form's own warm-up.
    await app.platform.closeView(PEOPLE.alice);
    await openForm(app, mode);
    const before = app.tailscale.calls.length;
    const times: number[] = [];
    for (const q of QUERIES) {
      times.push(
        await timed(() => app.platform.suggest(PEOPLE.alice, DEVICE, q)),
      );
    }
    const bytes = bytesSince(app, before);
    return {
      cold: percentile(colds, 0.5),
      coldBytes: percentile(coldBytes, 0.5),
      median: percentile(times, 0.5),
      p95: percentile(times, 0.95),
      bytesPerWarmQuery: bytes / QUERIES.length,
    };
  });
}

/** A whole request → approval flow, counting what Tailscale was asked. */
async function measureFlow(size: number, mode: Mode) {
  return await withTailnet(size, mode, async (app) => {
    await openForm(app, mode);
    const options = await app.platform.suggest(PEOPLE.alice, DEVICE, "alice");
    const first = (options.option_groups?.[0]?.options ?? options.options)[0];
    app.platform.selectSuggested(PEOPLE.alice, DEVICE, first);
    app.platform.type(PEOPLE.alice, "Why do you need it?", "benchmark");
    const form = app.platform.openView(PEOPLE.alice).view;
    const approver = form.blocks.find((b: { label?: { text: string } }) =>
      b.label?.text === "Who should approve?"
    );
    if (approver?.element.type === "users_select") {
      app.platform.chooseUser(PEOPLE.alice, "Who should approve?", PEOPLE.bob);
    }
    await app.platform.submit(PEOPLE.alice);
    const prompt = app.slack.messagesIn(PEOPLE.bob).find((m) =>
      JSON.stringify(m.blocks ?? []).includes("approve_request")
    );
    if (prompt) await app.platform.click(PEOPLE.bob, prompt, "Approve");
    const calls = app.tailscale.calls;
    return {
      listings: calls.filter((c) => c.path.endsWith("/devices")).length,
      reads: calls.filter((c) =>
        c.method === "GET" && /\/device\/[^/]+$/.test(c.path)
      ).length,
      writes: calls.filter((c) =>
        c.method === "POST" && c.path.includes("/attributes/")
      ).length,
      tokens: app.tailscale.tokensIssued,
      bytes: calls.reduce((sum, c) =>
        sum + c.responseBytes, 0),
    };
  });
}

/** Grants per way of ending them. */
const END_RUNS = 3;

/**
 * One grant of an hour, then the clock moved to its planned end: how long
 * after that end (emulated time) the attribute is gone from Tailscale. With
 * `appEnds`, the grant's own expiry event runs; without, its trigger is
 * deleted and Tailscale alone removes the attribute, polled every 5 s.
 */
async function measureEnd(appEnds: boolean): Promise<number> {
  const app = await startApp({
    profiles: PROFILES,
    tailscale: { latencyMs: 150 },
    slack: {
      users: workspaceFor(parseConfig({ profiles: PROFILES }).profiles),
      latencyMs: 50,
    },
  });
  try {
    let goneAt: number | null = null;
    app.tailscale.onCall = (call) => {
      if (call.method === "DELETE" && call.path.includes("/attributes/")) {
        goneAt ??= app.slack.now();
      }
    };
    await openForm(app, "own, cached");
    const options = await app.platform.suggest(PEOPLE.alice, DEVICE, "alice");
    const first = (options.option_groups?.[0]?.options ?? options.options)[0];
    app.platform.selectSuggested(PEOPLE.alice, DEVICE, first);
    await app.platform.choose(PEOPLE.alice, "For how long?", "1 hour");
    await app.platform.choose(
      PEOPLE.alice,
      "Who should approve?",
      "*Bob Baker*",
    );
    app.platform.type(PEOPLE.alice, "Why do you need it?", "benchmark");
    await app.platform.submit(PEOPLE.alice);
    const prompt = app.slack.messagesIn(PEOPLE.bob).find((m) =>
      JSON.stringify(m.blocks ?? []).includes("approve_request")
    );
    if (!prompt) throw new Error("no approval prompt");
    await app.platform.click(PEOPLE.bob, prompt, "Approve");
    const record = [...app.slack.datastore("requests").values()]
      .find((r) => r.state === "granted");
    const end = Date.parse(String(record?.expires_at));
    if (!Number.isFinite(end)) throw new Error("no grant");
    if (!appEnds) {
      for (const [id, t] of app.slack.triggers) {
        if (t.type === "scheduled") app.slack.triggers.delete(id);
      }
    }
    await app.platform.advanceClock(end - app.slack.now());
    const nodeId = String(record?.device_id);
    while (
      goneAt === null &&
      app.tailscale.customAttributes(nodeId).attributes[
          "custom:prodAccess"
        ] !== undefined
    ) {
      await app.platform.advanceClock(5_000);
    }
    return (goneAt ?? app.slack.now()) - end;
  } finally {
    await app.close();
  }
}

async function measureEnds(): Promise<[string, number[]][]> {
  const out: [string, number[]][] = [];
  for (
    const [label, appEnds] of [
      ["the app removes it at the grant's expiry event", true],
      ["Tailscale alone (expiry trigger deleted)", false],
    ] as const
  ) {
    const gaps: number[] = [];
    for (let i = 0; i < END_RUNS; i++) gaps.push(await measureEnd(appEnds));
    out.push([label, gaps]);
  }
  return out;
}

/** What a cold isolate pays to load a function module, in ms. */
async function loadTime(module: string | null): Promise<number> {
  const probe = `${APP_DIR}/dev/runtime/load_probe.ts`;
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-config",
        `--import-map=${APP_DIR}/import_map.offline.json`,
        "--allow-read",
        "--allow-env",
        probe,
        ...(module ? [`${APP_DIR}/${module}`] : []),
      ],
    }).output();
    if (out.code !== 0) throw new Error(new TextDecoder().decode(out.stderr));
    times.push(performance.now() - start);
  }
  return percentile(times, 0.5);
}

const ms = (n: number) => `${Math.round(n)} ms`;
const seconds = (n: number) => `${(n / 1000).toFixed(1)} s`;
const kb = (n: number) =>
  n < 1024
    ? `${Math.round(n)} B`
    : `${(n / 1024).toFixed(n < 10_240 ? 1 : 0)} KiB`;

if (import.meta.main) {
  const rows: Row[] = [];
  for (const devices of SIZES) {
    for (const mode of MODES) {
      const q = await measureQueries(devices, mode);
      const flow = await measureFlow(devices, mode);
      rows.push({ devices, mode, ...q, flow });
      console.error(`measured ${devices} devices, ${mode}`);
    }
  }
  const row = (devices: number, mode: Mode) =>
    rows.find((r) => r.devices === devices && r.mode === mode)!;
  console.log(
    `Device picker, Deno ${Deno.version.deno}, ${Deno.build.os}/${Deno.build.arch}; each event a fresh process; Tailscale +150 ms, Slack +50 ms per call; ${QUERIES.length} queries.\n`,
  );
  console.log(
    `| devices | picker | median | p95 | cold first query (median of ${COLD_RUNS}) | Tailscale bytes / cold query | Tailscale bytes / warm query | flow: listings / device reads / attribute writes / tokens | flow: Tailscale bytes |`,
  );
  console.log("|---:|---|---:|---:|---:|---:|---:|---|---:|");
  for (const r of rows) {
    console.log(
      `| ${r.devices.toLocaleString("en-US")} | ${r.mode} | ${ms(r.median)} | ${
        ms(r.p95)
      } | ${ms(r.cold)} | ${kb(r.coldBytes)} | ${
        kb(r.bytesPerWarmQuery)
      } | ${r.flow.listings} / ${r.flow.reads} / ${r.flow.writes} / ${r.flow.tokens} | ${
        kb(r.flow.bytes)
      } |`,
    );
  }
  console.log(
    "\n| devices | naive ÷ cached (own), median | naive ÷ cached (own), p95 | own, cached: median ÷ 1k | any, cached: median ÷ 1k | own cold: unfiltered ÷ filtered | own cold ÷ own warm median |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|");
  for (const devices of SIZES) {
    const own = row(devices, "own, cached");
    const any = row(devices, "any, cached");
    const naive = row(devices, "own, naive");
    const unfiltered = row(devices, "own, unfiltered");
    console.log(
      `| ${devices.toLocaleString("en-US")} | ${
        (naive.median / own.median).toFixed(1)
      }× | ${(naive.p95 / own.p95).toFixed(1)}× | ${
        (own.median / row(SIZES[0], "own, cached").median).toFixed(2)
      }× | ${
        (any.median / row(SIZES[0], "any, cached").median).toFixed(2)
      }× | ${(unfiltered.cold / own.cold).toFixed(1)}× | ${
        (own.cold / own.median).toFixed(2)
      }× |`,
    );
  }
  const ends = await measureEnds();
  console.log(
    `\n| end of access (${END_RUNS} grants each, emulated clock) | planned end → attribute gone, median | max |\n|---|---:|---:|`,
  );
  for (const [label, gaps] of ends) {
    console.log(
      `| ${label} | ${seconds(percentile(gaps, 0.5))} | ${
        seconds(Math.max(...gaps))
      } |`,
    );
  }
  const base = await loadTime(null);
  console.log("\n| module load (cold process, median of 5) | ms |\n|---|---:|");
  console.log(`| empty process (baseline) | ${Math.round(base)} |`);
  for (
    const fn of ["functions/request_access.ts", "functions/review_access.ts"]
  ) {
    const t = await loadTime(fn);
    console.log(`| ${fn} | ${Math.round(t)} (+${Math.round(t - base)}) |`);
  }
}
