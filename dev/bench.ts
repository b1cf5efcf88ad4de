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
 * Then the request store ("store"): with thousands of ended requests and 50
 * live ones in the `requests` datastore, opening My access and one
 * reconciliation run, through the `live_requests` index against scanning
 * `requests` as before (`REQUEST_INDEX=off`), in the same run: datastore
 * calls, items the scans evaluated, and time.
 *
 * Last, the approval ("approval"): click → attribute written → requester
 * told, over 20 flows, and with Tailscale answering the write after 12 s.
 *
 * `deno task bench -- --only=store` (or `--only=picker`, `--only=approval`,
 * or the env variable `BENCH_ONLY`) runs one part; a bare list of numbers
 * sets the tailnet sizes.
 *
 * @module
 */
import { type ConfigInput, parseConfig } from "../lib/config_schema.ts";
import type { RequestRecord, RequestState } from "../lib/requests/store.ts";
import { APP_DIR, startApp, type TestApp } from "./app.ts";
import {
  demoDevice,
  demoTailnet,
  manyDevices,
} from "./emulator/demo_tailnet.ts";
import { PEOPLE } from "./emulator/slack_people.ts";
import { workspaceFor } from "./local.ts";
import { measureApprovals } from "./bench_approval.ts";

/** Arguments that are not flags (`--`, `--only=…`). */
const POSITIONAL = Deno.args.filter((a) => !a.startsWith("--"));
/** Which part to run: "picker", "store", or both (default). */
const ONLY = Deno.args.find((a) => a.startsWith("--only="))?.slice(7) ??
  Deno.env.get("BENCH_ONLY") ?? "";
/** Tailnet sizes; `deno task bench 1000,5000` measures others. */
const SIZES = POSITIONAL[0]
  ? POSITIONAL[0].split(",").map(Number)
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
      JSON.stringify(m.blocks ?? []).includes('"text":"Approve"')
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
      JSON.stringify(m.blocks ?? []).includes('"text":"Approve"')
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

/** The device picker, the end of access, module load. */
async function pickerBench() {
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

// ---------------------------------------------------------------------------
// The request store: live requests among many ended ones
// ---------------------------------------------------------------------------

/** Ended requests in the datastore; `--ended=2000,20000` measures others. */
const ENDED = (Deno.args.find((a) => a.startsWith("--ended="))?.slice(8) ??
  "2000,20000").split(",").map(Number);
/** Live requests among them (grants, pending requests, group grants). */
const LIVE = 50;
/** Runs of each measurement (the median is reported). */
const STORE_RUNS = 5;
/** Extra latency of a datastore query (a scan page) over other calls. */
const QUERY_EXTRA_MS = Number(
  Deno.args.find((a) => a.startsWith("--query-latency="))?.slice(16) ?? 0,
);
const DAY_MS = 24 * 3600_000;

const STORE_PROFILES: ConfigInput["profiles"] = [
  ...PROFILES,
  {
    description: "Production (group)",
    group: "group:prod",
    approverEmails: ["bob@example.com"],
  },
];

/** A request record the size the app writes (about 1.5 KB), `ageMs` old. */
function benchRecord(
  id: string,
  requester: string,
  state: RequestState,
  now: number,
  ageMs: number,
  group = false,
): RequestRecord {
  const at = (min: number) =>
    new Date(now - ageMs + min * 60_000).toISOString();
  const device = demoDevice("alice-laptop");
  const live = state === "pending" || state === "granted";
  const history: RequestRecord["history"] = [
    {
      event: "requested",
      actor: requester,
      at: at(0),
      note: `approver ${PEOPLE.bob}`,
    },
  ];
  if (state !== "pending") {
    history.push(
      {
        event: "approved",
        actor: PEOPLE.bob,
        at: at(3),
        note: "ok for INC-4242",
      },
      { event: "granted", actor: "app", at: at(3), note: `until ${at(63)}` },
      { event: "notified", actor: "app", at: at(3) },
    );
  }
  if (!live) history.push({ event: state, actor: "app", at: at(63) });
  return {
    id,
    requester,
    approver: PEOPLE.bob,
    attribute: group ? "group:prod" : "custom:prodAccess",
    device_id: group ? "" : device.nodeId,
    ...(group
      ? { login: "bob@example.com", membership: "added" as const }
      : {}),
    duration_seconds: 3600,
    reason: "INC-4242: read the payment service logs during the incident",
    state,
    created_at: at(0),
    ...(state === "pending" ? {} : {
      decided_by: PEOPLE.bob,
      decided_at: at(3),
      claim_token: crypto.randomUUID(),
      planned_expiry: at(63),
      granted_at: at(3),
      expires_at: state === "granted"
        ? new Date(now + 2 * 3600_000).toISOString()
        : at(63),
      notified: true,
      notify_failures: [],
      prompt_channel: "D0BOB0001",
      prompt_ts: "1700000000.000100",
    }),
    ...(live ? { indexed: true } : {}),
    device_snapshot: JSON.stringify({
      nodeId: device.nodeId,
      hostname: device.hostname,
      name: device.name,
      user: device.user,
      os: device.os,
      addresses: device.addresses,
      tags: device.tags,
      connectedToControl: true,
      isExternal: false,
    }),
    schedule: live ? ["reminder:Ft0FAKE01", "expiry:Ft0FAKE02"] : [],
    history,
  };
}

/**
 * `ended` requests from the last months and {@linkcode LIVE} live ones:
 * Alice has one grant and one pending request; the rest are other people's
 * grants (every fifth of a group), pending requests.
 */
function seedRequests(app: TestApp, ended: number): void {
  const store = app.slack.datastore("requests");
  const now = app.slack.now();
  const people = [PEOPLE.bob, PEOPLE.carol, PEOPLE.dave, PEOPLE.erin];
  const endings: RequestState[] = ["expired", "revoked", "denied", "cancelled"];
  for (let i = 0; i < ended; i++) {
    const r = benchRecord(
      crypto.randomUUID(),
      i % 5 === 0 ? PEOPLE.alice : people[i % people.length],
      endings[i % endings.length],
      now,
      (1 + (i % 300)) * DAY_MS,
    );
    store.set(r.id, r);
  }
  for (let i = 0; i < LIVE; i++) {
    const requester = i < 2 ? PEOPLE.alice : people[i % people.length];
    const state = i === 1 || (i > 1 && i % 2) ? "pending" : "granted";
    const r = benchRecord(
      crypto.randomUUID(),
      requester,
      state,
      now,
      30 * 60_000,
      state === "granted" && i % 5 === 0 && i > 0,
    );
    store.set(r.id, r);
    if (i === 0) {
      // Alice's grant, as Tailscale holds it.
      app.tailscale.setAttributeOutside(r.device_id, r.attribute, {
        value: true,
        expiry: r.expires_at!,
      });
    }
  }
}

/** What one measured run cost in datastore calls. */
type StoreCost = {
  ms: number;
  query: number;
  get: number;
  bulkGet: number;
  evaluated: number;
};

async function storeCost(
  app: TestApp,
  fn: () => Promise<unknown>,
): Promise<StoreCost> {
  const from = app.slack.calls.length;
  const ms = await timed(fn);
  const calls = app.slack.calls.slice(from);
  const count = (m: string) =>
    calls.filter((c) => c.method === `apps.datastore.${m}`).length;
  return {
    ms,
    query: count("query"),
    get: count("get"),
    bulkGet: count("bulkGet"),
    evaluated: calls.reduce((n, c) => n + (c.evaluated ?? 0), 0),
  };
}

/** The median run (by time) of several, with its calls. */
function medianRun(runs: StoreCost[]): StoreCost {
  const ms = percentile(runs.map((r) => r.ms), 0.5);
  return { ...runs.find((r) => r.ms === ms)!, ms };
}

type StoreRow = {
  ended: number;
  listing: "index" | "scan";
  myAccess: StoreCost;
  reconcile: StoreCost;
  build?: StoreCost;
};

async function measureStore(
  ended: number,
  listing: StoreRow["listing"],
): Promise<StoreRow> {
  const app = await startApp({
    profiles: STORE_PROFILES,
    tailscale: { latencyMs: 150 },
    slack: {
      users: workspaceFor(parseConfig({ profiles: STORE_PROFILES }).profiles),
      latencyMs: 50,
      ...(QUERY_EXTRA_MS
        ? { methodLatencyMs: { "apps.datastore.query": QUERY_EXTRA_MS } }
        : {}),
    },
    env: listing === "scan" ? { REQUEST_INDEX: "off" } : {},
  });
  try {
    seedRequests(app, ended);
    const openMyAccess = async () => {
      await app.platform.startWorkflow("my_tailscale_access", PEOPLE.alice);
      const text = JSON.stringify(app.platform.openView(PEOPLE.alice).view);
      if (!text.includes("Your active access") || text.includes(":warning:")) {
        throw new Error(`My access did not list: ${text}`);
      }
    };
    // The very first listing builds the index from the records, once.
    const build = await storeCost(app, openMyAccess);
    await app.platform.closeView(PEOPLE.alice);
    const myAccess: StoreCost[] = [];
    for (let i = 0; i < STORE_RUNS; i++) {
      myAccess.push(await storeCost(app, openMyAccess));
      await app.platform.closeView(PEOPLE.alice);
    }
    const reconcile: StoreCost[] = [];
    for (let i = 0; i < STORE_RUNS; i++) {
      reconcile.push(
        await storeCost(
          app,
          () =>
            app.platform.startWorkflow("reconcile_group_access", PEOPLE.alice),
        ),
      );
    }
    return {
      ended,
      listing,
      myAccess: medianRun(myAccess),
      reconcile: medianRun(reconcile),
      ...(listing === "index" ? { build } : {}),
    };
  } finally {
    await app.close();
  }
}

/** My access and reconciliation, index against scan, per ended count. */
async function storeBench() {
  const rows: StoreRow[] = [];
  for (const ended of ENDED) {
    for (const listing of ["index", "scan"] as const) {
      rows.push(await measureStore(ended, listing));
      console.error(`measured ${ended} ended requests, ${listing}`);
    }
  }
  const calls = (c: StoreCost) => `${c.query} / ${c.get} / ${c.bulkGet}`;
  const n = (x: number) => x.toLocaleString("en-US");
  console.log(
    `\nRequest store, Deno ${Deno.version.deno}, ${Deno.build.os}/${Deno.build.arch}; ${LIVE} live requests; each event a fresh process; Slack +50 ms${
      QUERY_EXTRA_MS ? ` (+${QUERY_EXTRA_MS} ms more per query)` : ""
    }, Tailscale +150 ms per call; median of ${STORE_RUNS}. Calls are datastore query / get / bulkGet; evaluated = items the queries read.\n`,
  );
  console.log(
    "| ended | listing | My access | calls | evaluated | reconciliation | calls | evaluated |",
  );
  console.log("|---:|---|---:|---|---:|---:|---|---:|");
  for (const r of rows) {
    console.log(
      `| ${n(r.ended)} | ${r.listing} | ${ms(r.myAccess.ms)} | ${
        calls(r.myAccess)
      } | ${n(r.myAccess.evaluated)} | ${ms(r.reconcile.ms)} | ${
        calls(r.reconcile)
      } | ${n(r.reconcile.evaluated)} |`,
    );
  }
  console.log(
    "\n| ended | one-time index build (first listing) | calls | evaluated |\n|---:|---:|---|---:|",
  );
  for (const r of rows.filter((r) => r.build)) {
    console.log(
      `| ${n(r.ended)} | ${ms(r.build!.ms)} | ${calls(r.build!)} | ${
        n(r.build!.evaluated)
      } |`,
    );
  }
}

/** Approvals in a row for the click-to-told figures. */
const APPROVAL_FLOWS = 20;

/**
 * The approval: click → attribute written → requester told, over
 * {@linkcode APPROVAL_FLOWS} flows; then with Tailscale answering the write
 * after 12 s (see `bench_approval.ts`).
 */
async function approvalBench(): Promise<void> {
  const normal = await measureApprovals(APPROVAL_FLOWS);
  const slow = await measureApprovals(3, 12_000);
  console.log(
    `\nApproval, Deno ${Deno.version.deno}; each event a fresh process; Tailscale +150 ms, Slack +50 ms; the decision's claim settles 1.5 s.\n`,
  );
  console.log(
    "| approvals | click → attribute written, median / p95 | click → requester told, median / p95 | click → decision finished, median | handlers past Slack's limit |\n|---|---:|---:|---:|---:|",
  );
  for (
    const [label, runs] of [
      [`${APPROVAL_FLOWS}, Tailscale answers at once`, normal],
      ["3, Tailscale answers the write after 12 s", slow],
    ] as const
  ) {
    const pick = (k: "written" | "told" | "done") => runs.map((r) => r[k]);
    console.log(
      `| ${label} | ${ms(percentile(pick("written"), 0.5))} / ${
        ms(percentile(pick("written"), 0.95))
      } | ${ms(percentile(pick("told"), 0.5))} / ${
        ms(percentile(pick("told"), 0.95))
      } | ${ms(percentile(pick("done"), 0.5))} | ${
        runs.reduce((n, r) => n + r.timeouts, 0)
      } |`,
    );
  }
}

if (import.meta.main) {
  if (!ONLY || ONLY === "picker") await pickerBench();
  if (!ONLY || ONLY === "store") await storeBench();
  if (!ONLY || ONLY === "approval") await approvalBench();
}
