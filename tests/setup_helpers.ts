/**
 * Shared by the setup-check tests: a policy under which config.ts's
 * attribute profiles each open exactly their own rule, and running a
 * `deno task` command (`doctor`, `policy`) as deno.jsonc spells it, from a
 * directory of the test's own (where its `.env` is read).
 */
import { parse } from "jsonc-parser";
import { APP_DIR } from "../dev/app.ts";

/** Production (custom:prodAccess) and Staging (custom:stagingAccess) served. */
export const GOOD_POLICY = `{
  "groups": {
    "group:eng": ["bob@example.com", "carol@example.com"],
    "group:prod": ["carol@example.com"],
  },
  "tagOwners": {
    "tag:prod": ["autogroup:admin"],
    "tag:staging": ["autogroup:admin"],
  },
  "postures": {
    "posture:prodAccess": ["custom:prodAccess == true"],
    "posture:stagingAccess": ["custom:stagingAccess == true"],
  },
  "attrConfig": {
    "custom:prodAccess": { "type": "bool", "allowSetByNode": false },
  },
  "grants": [
    {
      "src": ["group:eng"],
      "dst": ["tag:prod"],
      "ip": ["tcp:22"],
      "srcPosture": ["posture:prodAccess"],
    },
    {
      "src": ["autogroup:member"],
      "dst": ["tag:staging"],
      "ip": ["tcp:443"],
      "srcPosture": ["posture:stagingAccess"],
    },
    { "src": ["group:prod"], "dst": ["tag:prod"], "ip": ["tcp:5432"] },
  ],
}`;

/** What a task printed and how it exited. */
export type TaskRun = { code: number; stdout: string; stderr: string };

/**
 * Runs `deno task <name>`'s command from deno.jsonc (its permissions
 * exactly) with `args`, in `cwd`, with only `env` (plus PATH and HOME for
 * Deno's caches): file paths in the command but `.env` are made absolute
 * (the repository's), so the task's `.env` is `cwd`'s.
 *
 * @example
 * ```ts
 * const run = await runTask("doctor", ["--json"], dir, { TAILSCALE_CLIENT_ID: "id" });
 * ```
 */
export async function runTask(
  name: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<TaskRun> {
  const config = parse(await Deno.readTextFile(`${APP_DIR}/deno.jsonc`));
  const [deno, ...words] = String(config.tasks[name]).split(/\s+/);
  if (deno !== "deno") throw new Error(`task ${name} does not start with deno`);
  const inApp = (path: string) => path === ".env" ? path : `${APP_DIR}/${path}`;
  const absolute = words.map((w) => {
    const flag = /^(--import-map|--allow-read)=(.*)$/.exec(w);
    if (flag) return `${flag[1]}=${flag[2].split(",").map(inApp).join(",")}`;
    return w.endsWith(".ts") && !w.startsWith("-") ? inApp(w) : w;
  });
  const [run, ...rest] = absolute;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [run, "--quiet", ...rest, ...args],
    cwd,
    clearEnv: true,
    env: {
      NO_COLOR: "1",
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "",
      ...(Deno.env.get("DENO_DIR")
        ? { DENO_DIR: Deno.env.get("DENO_DIR")! }
        : {}),
      ...env,
    },
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return {
    code: out.code,
    stdout: decode(out.stdout),
    stderr: decode(out.stderr),
  };
}
