/**
 * Readies the event processes before the suite runs (`deno task test` runs
 * this first): builds the npm packages' bundles (dev/runtime/deps_bundle.ts)
 * if this Deno has none yet, and loads every function once through them, so
 * that this Deno's code cache holds the app's modules.
 *
 * Why: the first events of a run otherwise pay for both, while other test
 * files run beside them, and an event whose process starts too slowly
 * misses Slack's 3 s to open its modal. Deno versions share one code cache,
 * so after a run on another version every module is compiled again.
 *
 * Usage: deno run --import-map=import_map.offline.json --allow-read
 *   --allow-write --allow-env --allow-run dev/runtime/prepare.ts
 *
 * @module
 */
import { bundledImports, runOrThrow } from "./deps_bundle.ts";

const APP_DIR = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/**
 * Builds the bundles if need be, then imports the event runner, the
 * manifest and every module in functions/ in one process of this Deno,
 * through the bundled import map, as the events load them.
 *
 * @example
 * ```ts
 * await prepareEvents(); // then run the tests
 * ```
 */
export async function prepareEvents(appDir = APP_DIR): Promise<void> {
  const base = JSON.parse(
    await Deno.readTextFile(`${appDir}/import_map.offline.json`),
  ) as { imports: Record<string, string> };
  const imports = await bundledImports(base.imports);
  const tmp = await Deno.makeTempDir({ prefix: "tsaccess-prepare-" });
  try {
    await Deno.writeTextFile(
      `${tmp}/import_map.json`,
      JSON.stringify({ imports }),
    );
    await Deno.writeTextFile(
      `${tmp}/load.ts`,
      "for (const m of Deno.args) await import(m);\n",
    );
    const modules = [
      `file://${appDir}/dev/runtime/run_event.ts`,
      `file://${appDir}/manifest.ts`,
      ...[...Deno.readDirSync(`${appDir}/functions`)]
        .filter((f) => f.isFile && f.name.endsWith(".ts"))
        .map((f) => `file://${appDir}/functions/${f.name}`)
        .sort(),
    ];
    await runOrThrow([
      Deno.execPath(),
      "run",
      "--quiet",
      "--no-config",
      `--import-map=${tmp}/import_map.json`,
      "--allow-read",
      "--allow-env",
      `${tmp}/load.ts`,
      ...modules,
    ], "loading the functions");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) await prepareEvents();
