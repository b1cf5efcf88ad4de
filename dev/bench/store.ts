/**
 * The request store section of `deno task bench`: with thousands of ended
 * requests and {@link LIVE} live ones in the `requests` datastore, opening
 * My access and one reconciliation run, through the `live_requests` index
 * against scanning `requests` as before (`REQUEST_INDEX=off`), in the same
 * run: datastore calls, items the scans evaluated, and time.
 *
 * @module
 */
import type { ConfigInput } from "../../lib/config_schema.ts";
import type { TestApp } from "../app.ts";
import { PEOPLE } from "../emulator/slack_people.ts";
import { ms, percentile, PROFILES, timed, withBenchApp } from "./common.ts";
import { LIVE, seedRequests } from "./store_records.ts";

/** Runs of each measurement (the median is reported). */
const STORE_RUNS = 5;

const STORE_PROFILES: ConfigInput["profiles"] = [
  ...PROFILES,
  {
    description: "Production (group)",
    group: "group:prod",
    approverEmails: ["bob@example.com"],
  },
];

/** What the store section measures. */
export type StoreBenchOptions = {
  /** Ended requests in the datastore, one measurement per count. */
  ended: number[];
  /** Extra latency of a datastore query (a scan page) over other calls. */
  queryExtraMs: number;
};

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
  queryExtraMs: number,
): Promise<StoreRow> {
  return await withBenchApp({
    profiles: STORE_PROFILES,
    slack: queryExtraMs
      ? { methodLatencyMs: { "apps.datastore.query": queryExtraMs } }
      : {},
    env: listing === "scan" ? { REQUEST_INDEX: "off" } : {},
  }, async (app) => {
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
  });
}

/**
 * My access and reconciliation, index against scan, per ended count.
 *
 * @example
 * ```ts
 * await storeBench({ ended: [2000], queryExtraMs: 0 });
 * ```
 */
export async function storeBench(opts: StoreBenchOptions): Promise<void> {
  const rows: StoreRow[] = [];
  for (const ended of opts.ended) {
    for (const listing of ["index", "scan"] as const) {
      rows.push(await measureStore(ended, listing, opts.queryExtraMs));
      console.error(`measured ${ended} ended requests, ${listing}`);
    }
  }
  printStore(rows, opts.queryExtraMs);
}

function printStore(rows: StoreRow[], queryExtraMs: number): void {
  const calls = (c: StoreCost) => `${c.query} / ${c.get} / ${c.bulkGet}`;
  const n = (x: number) => x.toLocaleString("en-US");
  console.log(
    `\nRequest store, Deno ${Deno.version.deno}, ${Deno.build.os}/${Deno.build.arch}; ${LIVE} live requests; each event a fresh process; Slack +50 ms${
      queryExtraMs ? ` (+${queryExtraMs} ms more per query)` : ""
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
