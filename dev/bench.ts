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
 * Each section lives in `bench/`: `picker.ts` (with `end.ts` and
 * `load.ts`, printed in the same section), `store.ts` and `approval.ts`,
 * sharing the app start-up and figures in `common.ts`.
 *
 * @module
 */
import { approvalBench } from "./bench/approval.ts";
import { pickerBench } from "./bench/picker.ts";
import { storeBench } from "./bench/store.ts";

/** Arguments that are not flags (`--`, `--only=…`). */
const POSITIONAL = Deno.args.filter((a) => !a.startsWith("--"));
/** Which part to run: "picker", "store", "approval", or all (default). */
const ONLY = Deno.args.find((a) => a.startsWith("--only="))?.slice(7) ??
  Deno.env.get("BENCH_ONLY") ?? "";
/** Tailnet sizes; `deno task bench 1000,5000` measures others. */
const SIZES = POSITIONAL[0]
  ? POSITIONAL[0].split(",").map(Number)
  : [1_000, 5_000, 20_000];
/** Ended requests in the datastore; `--ended=2000,20000` measures others. */
const ENDED = (Deno.args.find((a) => a.startsWith("--ended="))?.slice(8) ??
  "2000,20000").split(",").map(Number);
/** Extra latency of a datastore query (a scan page) over other calls. */
const QUERY_EXTRA_MS = Number(
  Deno.args.find((a) => a.startsWith("--query-latency="))?.slice(16) ?? 0,
);

if (import.meta.main) {
  if (!ONLY || ONLY === "picker") await pickerBench(SIZES);
  if (!ONLY || ONLY === "store") {
    await storeBench({ ended: ENDED, queryExtraMs: QUERY_EXTRA_MS });
  }
  if (!ONLY || ONLY === "approval") await approvalBench();
}
