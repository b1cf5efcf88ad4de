/**
 * Module load, in `deno task bench`'s picker section: what a cold isolate
 * pays to load a function module, against an empty process.
 *
 * @module
 */
import { APP_DIR } from "../app.ts";
import { percentile } from "./common.ts";

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

/**
 * Prints the median load time of an empty process and of the two largest
 * function modules.
 *
 * @example
 * ```ts
 * await moduleLoadBench();
 * ```
 */
export async function moduleLoadBench(): Promise<void> {
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
