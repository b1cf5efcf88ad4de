/**
 * Runs each event in a fresh Deno process on the same Deno version as the
 * tests, so module state cannot survive between events (as on Slack).
 *
 * @module
 */
import type { Dispatcher } from "../platform.ts";
import { ANSWER_MARKER, CLOCK_OFFSET_VARIABLE } from "./run_event.ts";

/** Where the app lives and how its modules resolve. */
export type SubprocessOptions = {
  /** Absolute path of the app's root (where manifest.ts is). */
  appDir: string;
  /** Absolute path of the import map the child uses. */
  importMap: string;
  /**
   * Absolute path of `deno task bundle`'s output: each event then runs
   * `<bundleDir>/functions/<callback_id>.js`, as Slack's hosted runtime does
   * (the import map then serves only the runner, not the app's code).
   */
  bundleDir?: string;
  /** Receives everything the app wrote to stdout/stderr, per event. */
  onOutput?: (text: string) => void;
  /** How far the emulated clock is ahead of the real one, in ms. */
  clockOffsetMs?: () => number;
  /**
   * Slack's time limits, after which it gives up on a handler (default
   * {@linkcode SLACK_HANDLER_LIMITS}); the process is killed there. `null`
   * lets handlers run for ever (only for a test that needs it).
   */
  limits?: HandlerLimits | null;
  /**
   * More variables for each event's process environment (not the app's
   * Slack variables, which come with the payload), e.g. the app's
   * `TRIGGER_SPACING_MS`.
   */
  processEnv?: Record<string, string>;
};

/** How long Slack lets a deployed function's handlers run, in ms. */
export type HandlerLimits = {
  /** `function_executed`: 60 s. */
  functionMs: number;
  /** `block_actions`, `view_submission`, `view_closed`, `block_suggestion`: 10 s. */
  interactionMs: number;
};

/** Slack's documented limits for deployed functions. */
export const SLACK_HANDLER_LIMITS: HandlerLimits = {
  functionMs: 60_000,
  interactionMs: 10_000,
};

/** A handler ran past Slack's limit and was stopped, as Slack does. */
export class HandlerTimeoutError extends Error {
  readonly event: string;
  readonly limitMs: number;
  constructor(event: string, limitMs: number) {
    super(`${event} handler exceeded ${limitMs / 1000}s timeout`);
    this.name = "HandlerTimeoutError";
    this.event = event;
    this.limitMs = limitMs;
  }
}

const RUN_EVENT = new URL("./run_event.ts", import.meta.url).pathname;

/** A dispatcher that can also stop the events it is running. */
export type KillableDispatcher = Dispatcher & {
  /** Kills every event process still running, as a crash would. */
  killRunning(): void;
};

/** A dispatcher that starts `deno run` for every event. */
export function subprocessDispatcher(
  opts: SubprocessOptions,
): KillableDispatcher {
  const running = new Set<Deno.ChildProcess>();
  const dispatch = async (payload: Parameters<Dispatcher>[0]) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-config",
        `--import-map=${opts.importMap}`,
        "--allow-net=127.0.0.1",
        "--allow-env",
        "--allow-read",
        RUN_EVENT,
        opts.appDir,
        ...(opts.bundleDir ? [opts.bundleDir] : []),
      ],
      cwd: opts.bundleDir ?? opts.appDir,
      env: {
        ...opts.processEnv,
        [CLOCK_OFFSET_VARIABLE]: String(opts.clockOffsetMs?.() ?? 0),
      },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    running.add(child);
    const event = eventName(payload);
    const limits = opts.limits === undefined
      ? SLACK_HANDLER_LIMITS
      : opts.limits;
    const limitMs = limits &&
      (event === "function_executed"
        ? limits.functionMs
        : limits.interactionMs);
    let timedOut = false;
    const timer = limitMs
      ? setTimeout(() => {
        timedOut = true;
        try {
          child.kill("SIGKILL");
        } catch {
          // Already gone.
        }
      }, limitMs)
      : undefined;
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(JSON.stringify(payload)));
    await writer.close();
    const { code, stdout, stderr } = await child.output().finally(() => {
      running.delete(child);
      clearTimeout(timer);
    });
    const out = new TextDecoder().decode(stdout);
    const err = new TextDecoder().decode(stderr);
    const at = out.lastIndexOf(ANSWER_MARKER);
    opts.onOutput?.((at >= 0 ? out.slice(0, at) : out) + err);
    if (timedOut && limitMs) throw new HandlerTimeoutError(event, limitMs);
    if (code !== 0 || at < 0) {
      throw new Error(
        `the app's process failed (exit ${code}) handling ${event}:\n${err}`,
      );
    }
    return JSON.parse(out.slice(at + ANSWER_MARKER.length));
  };
  return Object.assign(dispatch, {
    killRunning() {
      for (const child of running) {
        try {
          child.kill("SIGKILL");
        } catch {
          // Already gone.
        }
      }
    },
  });
}

function eventName(payload: { body: Record<string, unknown> }): string {
  const body = payload.body as { type?: string; event?: { type?: string } };
  return body.event?.type ?? body.type ?? "an event";
}
