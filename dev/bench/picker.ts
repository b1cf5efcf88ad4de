/**
 * The device picker section of `deno task bench`: on tailnets of the given
 * sizes, the cached index against a naive baseline (list every device on
 * every keystroke, as Tailscale's example accessbot does), warm and cold
 * queries, and what a whole request → approval asked Tailscale. Then the
 * end of access and module load, which print in the same section.
 *
 * @module
 */
import type { TestApp } from "../app.ts";
import { demoTailnet, manyDevices } from "../emulator/demo_tailnet.ts";
import { PEOPLE } from "../emulator/slack_people.ts";
import {
  DEVICE,
  kb,
  ms,
  openForm,
  percentile,
  pickFirstDevice,
  PROFILES,
  timed,
  withBenchApp,
} from "./common.ts";
import { endOfAccessBench } from "./end.ts";
import { moduleLoadBench } from "./load.ts";

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

async function withTailnet<T>(
  size: number,
  mode: Mode,
  fn: (app: TestApp) => Promise<T>,
): Promise<T> {
  const demo = demoTailnet();
  return await withBenchApp({
    profiles: PROFILES,
    devices: [...demo, ...manyDevices(size - demo.length)],
    env: mode.endsWith("naive")
      ? { DEVICE_PICKER_CACHE: "off" }
      : mode.endsWith("unfiltered")
      ? { DEVICE_PICKER_USER_FILTER: "off" }
      : {},
  }, fn);
}

/** Bytes Tailscale sent since call number `from`. */
function bytesSince(app: TestApp, from: number): number {
  return app.tailscale.calls.slice(from)
    .reduce((sum, c) => sum + c.responseBytes, 0);
}

/** Opens the form as Alice and chooses the mode's profile. */
async function openModeForm(app: TestApp, mode: Mode) {
  await openForm(app, mode.startsWith("any") ? "Jump hosts" : "Production");
}

async function measureQueries(size: number, mode: Mode) {
  return await withTailnet(size, mode, async (app) => {
    await openModeForm(app, mode);
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
    await openModeForm(app, mode);
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
    await openModeForm(app, mode);
    await pickFirstDevice(app, "alice");
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

/**
 * The device picker on tailnets of `sizes` devices, then the end of access
 * and module load.
 *
 * @example
 * ```ts
 * await pickerBench([1_000]);
 * ```
 */
export async function pickerBench(sizes: number[]): Promise<void> {
  const rows: Row[] = [];
  for (const devices of sizes) {
    for (const mode of MODES) {
      const q = await measureQueries(devices, mode);
      const flow = await measureFlow(devices, mode);
      rows.push({ devices, mode, ...q, flow });
      console.error(`measured ${devices} devices, ${mode}`);
    }
  }
  printRows(rows);
  printRatios(rows, sizes);
  await endOfAccessBench();
  await moduleLoadBench();
}

function printRows(rows: Row[]): void {
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
}

function printRatios(rows: Row[], sizes: number[]): void {
  const row = (devices: number, mode: Mode) =>
    rows.find((r) => r.devices === devices && r.mode === mode)!;
  console.log(
    "\n| devices | naive ÷ cached (own), median | naive ÷ cached (own), p95 | own, cached: median ÷ 1k | any, cached: median ÷ 1k | own cold: unfiltered ÷ filtered | own cold ÷ own warm median |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|");
  for (const devices of sizes) {
    const own = row(devices, "own, cached");
    const any = row(devices, "any, cached");
    const naive = row(devices, "own, naive");
    const unfiltered = row(devices, "own, unfiltered");
    console.log(
      `| ${devices.toLocaleString("en-US")} | ${
        (naive.median / own.median).toFixed(1)
      }× | ${(naive.p95 / own.p95).toFixed(1)}× | ${
        (own.median / row(sizes[0], "own, cached").median).toFixed(2)
      }× | ${
        (any.median / row(sizes[0], "any, cached").median).toFixed(2)
      }× | ${(unfiltered.cold / own.cold).toFixed(1)}× | ${
        (own.cold / own.median).toFixed(2)
      }× |`,
    );
  }
}
