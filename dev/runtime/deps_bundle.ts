/**
 * The app's npm dependencies (the SDK's npm build, zod, jsonc-parser), each
 * bundled into one file, for the event processes to load instead of the npm
 * packages. The app's own modules still load from source, through the same
 * import map, so config.ts can be swapped between events.
 *
 * Why: every event is a fresh `deno run`, and most of its start-up went to
 * resolving and loading some 200 npm modules (about 0.25 s of CPU an event
 * on Deno 2.9, 0.3 s on 1.46; 0.16 s and 0.14 s from the bundles). The code
 * is the same: `slack deploy` bundles the SDK into every function too.
 *
 * The bundles are built once per import map, Deno version and bundler, into
 * a directory of the system's temp folder that later runs reuse; processes
 * that need them at the same time wait for the one that builds them.
 *
 * @module
 */
import { nodeGlobalsPrologue } from "../../tools/bundle_functions.ts";

/** The Deno that bundles `npm:` imports (`deno bundle` needs 2.4 or later). */
export const BUNDLER_VERSION = "2.9.6";

/** A lock older than this was left by a builder that died. */
const STALE_LOCK_MS = 180_000;

/**
 * The command that runs `deno bundle`: this Deno if it is 2.4 or later,
 * else {@linkcode BUNDLER_VERSION} from npm.
 *
 * @example
 * ```ts
 * const [cmd, ...args] = bundlerCommand();
 * await new Deno.Command(cmd, { args: [...args, "bundle", "--help"] }).output();
 * ```
 */
export function bundlerCommand(): string[] {
  const [major, minor] = Deno.version.deno.split(".").map(Number);
  return major > 2 || (major === 2 && minor >= 4)
    ? [Deno.execPath()]
    : ["npx", "-y", `deno@${BUNDLER_VERSION}`];
}

/**
 * `imports` with every `npm:` entry pointing at its bundle instead (built
 * if need be); other entries are kept as they are.
 *
 * @example
 * ```ts
 * const map = JSON.parse(await Deno.readTextFile("import_map.offline.json"));
 * const imports = await bundledImports(map.imports);
 * // { "zod": "file:///tmp/tsaccess-deps-…/zod.js", … }
 * ```
 */
export async function bundledImports(
  imports: Record<string, string>,
): Promise<Record<string, string>> {
  const npm = Object.entries(imports).filter(([, to]) => to.startsWith("npm:"))
    .sort(([a], [b]) => a < b ? -1 : 1);
  const key = await digest(
    // What the bundles are made of, and how: a change to either is a rebuild.
    JSON.stringify([
      Deno.version.deno,
      bundlerCommand(),
      npm,
      `${build}${nodePrologue}${nodeGlobalsPrologue}`,
    ]),
  );
  const dir = `${tempRoot()}/tsaccess-deps-${key}`;
  if (!(await exists(`${dir}/done`))) await buildOnce(dir, npm);
  const out = { ...imports };
  for (const [name] of npm) out[name] = `file://${dir}/${fileFor(name)}`;
  return out;
}

/** Builds into `dir` unless another process is doing it; then waits. */
async function buildOnce(dir: string, npm: [string, string][]) {
  const lock = `${dir}.lock`;
  for (;;) {
    if (await exists(`${dir}/done`)) return;
    let held: Deno.FsFile | undefined;
    try {
      held = await Deno.open(lock, { write: true, createNew: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
    if (held) {
      held.close();
      try {
        if (!(await exists(`${dir}/done`))) await build(dir, npm);
      } finally {
        await Deno.remove(lock).catch(() => {});
      }
      return;
    }
    const age = await Deno.stat(lock).then(
      (s) => Date.now() - (s.mtime?.getTime() ?? Date.now()),
      () => 0,
    );
    if (age > STALE_LOCK_MS) await Deno.remove(lock).catch(() => {});
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Bundles each package into `dir`/<file>.js, then marks `dir` done. */
async function build(dir: string, npm: [string, string][]) {
  await Deno.mkdir(dir, { recursive: true });
  const [cmd, ...pre] = bundlerCommand();
  await Promise.all(npm.map(async ([name, specifier]) => {
    const entry = `${dir}/${fileFor(name)}.entry.ts`;
    const path = `${dir}/${fileFor(name)}`;
    const hasDefault = "default" in await import(specifier);
    await Deno.writeTextFile(
      entry,
      `export * from "${specifier}";\n` +
        (hasDefault ? `export { default } from "${specifier}";\n` : ""),
    );
    await runOrThrow(
      [cmd, ...pre, "bundle", "--quiet", "--no-config", "-o", path, entry],
      `bundling ${specifier}`,
    );
    const code = await Deno.readTextFile(path);
    await Deno.writeTextFile(path, nodePrologue(code) + code);
  }));
  await Deno.writeTextFile(`${dir}/done`, "");
}

/**
 * Node's globals a bundle gets from Node's modules, besides those of
 * {@linkcode nodeGlobalsPrologue}.
 */
const NODE_GLOBALS = {
  performance: "__deps_node_perf_hooks.performance",
  setTimeout: "__deps_node_timers.setTimeout",
  setInterval: "__deps_node_timers.setInterval",
  clearTimeout: "__deps_node_timers.clearTimeout",
  clearInterval: "__deps_node_timers.clearInterval",
};

/**
 * What Deno gives npm packages but not a bundle: Node's globals. Besides
 * those of {@linkcode nodeGlobalsPrologue}, Node's timers (undici unrefs
 * its keep-alive timers; with the web's, a process would wait for them)
 * and Node's `performance` (undici reports every fetch's timing to it).
 */
function nodePrologue(code: string): string {
  for (const name of Object.keys(NODE_GLOBALS)) {
    const declaration = new RegExp(
      `^(?:(?:export\\s+)?(?:var|let|const|class|(?:async\\s+)?function\\*?)\\s+${name}(?![\\w$])|import\\b[^;]*[{,\\s]${name}\\s*[,}])`,
      "m",
    );
    if (declaration.test(code)) {
      throw new Error(
        `a bundle declares ${name} itself; see ${import.meta.url}`,
      );
    }
  }
  return [
    "// Node's globals, as Deno gives them to npm packages.",
    'import * as __deps_node_perf_hooks from "node:perf_hooks";',
    'import * as __deps_node_timers from "node:timers";',
    ...Object.entries(NODE_GLOBALS).map(([name, to]) => `var ${name} = ${to};`),
    nodeGlobalsPrologue(code),
  ].join("\n");
}

/**
 * Runs `command` (NO_COLOR, output discarded); throws with `what` and the
 * command's stderr if it fails.
 *
 * @example
 * ```ts
 * await runOrThrow([Deno.execPath(), "--version"], "asking Deno its version");
 * ```
 */
export async function runOrThrow(
  [cmd, ...args]: string[],
  what: string,
): Promise<void> {
  const out = await new Deno.Command(cmd, {
    args,
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).output();
  if (out.code !== 0) {
    throw new Error(
      `${what} failed (exit ${out.code}):\n${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
}

function fileFor(name: string): string {
  return `${name.replace(/[^\w.-]+/g, "_")}.js`;
}

function tempRoot(): string {
  return (Deno.env.get("TMPDIR") ?? "/tmp").replace(/\/$/, "");
}

async function digest(text: string): Promise<string> {
  const hash = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(text),
  );
  return [...new Uint8Array(hash).slice(0, 8)]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}
