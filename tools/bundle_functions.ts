/**
 * Bundles every function the way `slack deploy`'s build hook does
 * (deno-slack-hooks 1.5.0 `build.ts`): one self-contained
 * `<out>/functions/<callback_id>.js` per non-API function in the manifest,
 * made by `deno bundle --output` from its `source_file`, and
 * `<out>/manifest.json` without `source_file`.
 *
 * Two differences, both because this runs offline (CI): modules resolve
 * through import_map.offline.json (the SDK's npm build instead of deno.land),
 * and a short prologue gives the bundle the Node globals its npm shims read
 * (see {@linkcode nodeGlobalsPrologue}).
 *
 * Needs Deno ≥ 2.4 (the `deno bundle --output` that handles `npm:` imports).
 * Usage: deno task bundle [--out DIR]   (default DIR: dist)
 *
 * @module
 */
import manifest from "../manifest.ts";
import { cleanManifest } from "./print_manifest.ts";

/** The repository root. */
const APP_DIR = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
/** The import map every local task uses (deno.land is out of reach). */
const IMPORT_MAP = `${APP_DIR}/import_map.offline.json`;

/** One function's bundle. */
export type BundleResult = {
  callbackId: string;
  sourceFile: string;
  /** Absolute path of the bundle. */
  path: string;
  bytes: number;
};

/** A bundle could not be made, or is not self-contained. */
export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BundleError";
  }
}

/** The manifest's functions that `slack deploy` bundles (all but `API`). */
export function bundledFunctions(
  raw: unknown,
): { callbackId: string; sourceFile: string }[] {
  const fns = (raw as {
    functions?: Record<string, { source_file?: string; type?: string }>;
  }).functions ?? {};
  return Object.entries(fns)
    .filter(([, def]) => def.type !== "API")
    .map(([callbackId, def]) => {
      if (!def.source_file) {
        throw new BundleError(`function "${callbackId}" has no source_file`);
      }
      return { callbackId, sourceFile: def.source_file };
    });
}

/**
 * Node's globals that `deno bundle` (Deno 2) leaves as free variables:
 * Deno 2 has `process`, `Buffer`, `global`, `setImmediate` and
 * `clearImmediate` in every module, Deno 1.x (Slack's hosted runtime) has
 * none of them, and no Deno has `__dirname`/`__filename` in an ES module
 * (denoland/deno#30036: "we don't do anything special with `__dirname`").
 * Only the npm build's Node shims (@deno/shim-deno, undici, which) read
 * them; the app, zod and jsonc-parser do not.
 */
const NODE_GLOBALS: Record<string, string> = {
  process: "__bundle_node_process",
  Buffer: "__bundle_node_buffer.Buffer",
  global: "globalThis",
  setImmediate: "__bundle_node_timers.setImmediate",
  clearImmediate: "__bundle_node_timers.clearImmediate",
  __filename: "__bundle_filename",
  __dirname: "__bundle_node_path.dirname(__bundle_filename)",
};

/**
 * Declares, at the top of a bundle, module-scoped stand-ins for the Node
 * globals it reads, so the same file runs on Deno 1.46 and Deno 2 without
 * touching `globalThis`. A name the bundle declares itself at top level is
 * left alone (esbuild never leaves a free reference to such a name).
 */
export function nodeGlobalsPrologue(code: string): string {
  const names = Object.keys(NODE_GLOBALS).filter((name) =>
    new RegExp(`(?<![.\\w$])${name}(?![\\w$])`).test(code) &&
    !new RegExp(
      `^(?:export\\s+)?(?:var|let|const|class|(?:async\\s+)?function\\*?)\\s+${name}(?![\\w$])`,
      "m",
    ).test(code)
  );
  if (names.length === 0) return "";
  return [
    "// Node globals for Deno 1.x, added by tools/bundle_functions.ts.",
    'import __bundle_node_process from "node:process";',
    'import * as __bundle_node_buffer from "node:buffer";',
    'import * as __bundle_node_timers from "node:timers";',
    'import * as __bundle_node_url from "node:url";',
    'import * as __bundle_node_path from "node:path";',
    'var __bundle_filename = import.meta.url.startsWith("file:")',
    "  ? __bundle_node_url.fileURLToPath(import.meta.url)",
    "  : import.meta.url;",
    ...names.map((name) => `var ${name} = ${NODE_GLOBALS[name]};`),
    "",
  ].join("\n");
}

/**
 * The modules a bundle still loads at run time, other than Node's built-ins
 * (`node:`), as `deno info` parses them (imports named only in JSDoc types do
 * not count).
 */
export async function externalImports(path: string): Promise<string[]> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "--no-config", "--no-lock", path],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new BundleError(
      `deno info ${path} failed:\n${new TextDecoder().decode(stderr)}`,
    );
  }
  const info = JSON.parse(new TextDecoder().decode(stdout)) as {
    roots: string[];
    modules: {
      specifier: string;
      dependencies?: { specifier: string; code?: unknown }[];
    }[];
  };
  const root = info.modules.find((m) => m.specifier === info.roots[0]);
  return (root?.dependencies ?? [])
    .filter((d) => d.code !== undefined && !d.specifier.startsWith("node:"))
    .map((d) => d.specifier)
    .sort();
}

/** Bundles one function; throws {@linkcode BundleError} on any failure. */
export async function bundleFunction(
  fn: { callbackId: string; sourceFile: string },
  outDir: string,
): Promise<BundleResult> {
  const path = `${outDir}/functions/${fn.callbackId}.js`;
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      `--import-map=${IMPORT_MAP}`,
      "--output",
      path,
      `${APP_DIR}/${fn.sourceFile}`,
    ],
    // As the build hook does: deno.jsonc is found from the working directory
    // (its "lock": false applies); the import map flag overrides its imports.
    cwd: APP_DIR,
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(stderr).trim();
  if (code !== 0) {
    throw new BundleError(
      `deno bundle ${fn.sourceFile} failed (exit ${code}):\n${err}`,
    );
  }
  let bundle: string;
  try {
    bundle = await Deno.readTextFile(path);
  } catch {
    throw new BundleError(`deno bundle ${fn.sourceFile} wrote no ${path}`);
  }
  if (!bundle.trim()) throw new BundleError(`${path} is empty`);
  const external = await externalImports(path);
  if (external.length) {
    throw new BundleError(
      `${path} is not self-contained; it still imports ${external.join(", ")}`,
    );
  }
  const full = nodeGlobalsPrologue(bundle) + bundle;
  await Deno.writeTextFile(path, full);
  return {
    ...fn,
    path,
    bytes: new TextEncoder().encode(full).length,
  };
}

/**
 * Bundles every function into `<outDir>/functions/` (replacing whatever was
 * there) and writes `<outDir>/manifest.json`. Rejects with a
 * {@linkcode BundleError} naming every function that failed.
 */
export async function bundleAll(outDir: string): Promise<BundleResult[]> {
  const [major, minor] = Deno.version.deno.split(".").map(Number);
  if (major < 2 || (major === 2 && minor < 4)) {
    throw new BundleError(
      `deno bundle --output needs Deno ≥ 2.4 (this is ${Deno.version.deno}); ` +
        "run: npx -y deno@2.9.6 task bundle",
    );
  }
  const fns = bundledFunctions(manifest);
  // Never delete the app's own sources (e.g. `--out .`).
  const target = new URL(`file://${outDir}/functions/`).pathname;
  const inside = fns.find((fn) =>
    new URL(`file://${APP_DIR}/${fn.sourceFile}`).pathname.startsWith(target)
  );
  if (inside) {
    throw new BundleError(
      `${target} holds ${inside.sourceFile}; choose another --out directory`,
    );
  }
  await Deno.remove(`${outDir}/functions`, { recursive: true }).catch(
    (e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    },
  );
  await Deno.mkdir(`${outDir}/functions`, { recursive: true });
  const settled = await Promise.allSettled(
    fns.map((fn) => bundleFunction(fn, outDir)),
  );
  const failures = settled.flatMap((s) =>
    s.status === "rejected" ? [(s.reason as Error).message] : []
  );
  if (failures.length) throw new BundleError(failures.join("\n\n"));
  await Deno.writeTextFile(
    `${outDir}/manifest.json`,
    JSON.stringify(cleanManifest(manifest), null, 2) + "\n",
  );
  return settled.map((s) => (s as PromiseFulfilledResult<BundleResult>).value);
}

function parseOut(args: string[]): string {
  let out = "dist";
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    if (flag === "--out") {
      out = inline ?? args[++i] ?? "";
      if (!out) throw new BundleError("--out needs a directory");
    } else {
      throw new BundleError(
        `unknown option "${args[i]}"\nUsage: deno task bundle [--out DIR]`,
      );
    }
  }
  // `deno task` runs in the project folder; INIT_CWD is where it was typed.
  const cwd = Deno.env.get("INIT_CWD") ?? Deno.cwd();
  return out.startsWith("/") ? out : `${cwd}/${out}`;
}

if (import.meta.main) {
  try {
    const outDir = parseOut(Deno.args).replace(/\/$/, "");
    const started = performance.now();
    const results = await bundleAll(outDir);
    const width = Math.max(...results.map((r) => r.callbackId.length));
    for (const r of results) {
      console.log(
        `${r.callbackId.padEnd(width)}  ${r.sourceFile} → ${
          r.path.slice(outDir.length + 1)
        }  ${(r.bytes / 1024).toFixed(0)} KiB`,
      );
    }
    console.log(
      `${results.length} functions bundled into ${outDir} (manifest.json ` +
        `without source_file) in ${
          ((performance.now() - started) / 1000).toFixed(1)
        } s`,
    );
  } catch (e) {
    console.error(
      e instanceof BundleError ? `bundle failed: ${e.message}` : e,
    );
    Deno.exit(1);
  }
}
