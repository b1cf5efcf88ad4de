/**
 * What every section of `deno task bench` shares: the app started at the
 * bench's latencies (Tailscale +150 ms, Slack +50 ms per call), the
 * profiles it plays, and the small helpers that time and format figures.
 *
 * @module
 */
import { type ConfigInput, parseConfig } from "../../lib/config_schema.ts";
import { startApp, type TestApp } from "../app.ts";
import type { SlackFakeOptions } from "../emulator/slack.ts";
import type { FakeDevice } from "../emulator/tailscale.ts";
import { PEOPLE } from "../emulator/slack_people.ts";
import { workspaceFor } from "../local/cast.ts";

/** The device picker's label in the request form. */
export const DEVICE = "From which device?";

/** The profiles the picker, end-of-access and store sections play. */
export const PROFILES: ConfigInput["profiles"] = [
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

/** How one bench app is set up. */
export type BenchSetup = {
  profiles: ConfigInput["profiles"];
  /** The tailnet's devices (default: the demo tailnet). */
  devices?: FakeDevice[];
  /** Environment overrides, e.g. `{ REQUEST_INDEX: "off" }`. */
  env?: Record<string, string>;
  /** More Slack emulator options, e.g. `methodLatencyMs`. */
  slack?: Partial<SlackFakeOptions>;
};

/**
 * Runs `fn` with the app started at the bench's latencies (Tailscale
 * +150 ms, Slack +50 ms per call), a workspace with every approver the
 * profiles name, and closes it afterwards.
 *
 * @example
 * ```ts
 * const listed = await withBenchApp({ profiles: PROFILES }, async (app) => {
 *   await app.platform.startWorkflow("my_tailscale_access", PEOPLE.alice);
 *   return app.platform.openView(PEOPLE.alice).view;
 * });
 * ```
 */
export async function withBenchApp<T>(
  setup: BenchSetup,
  fn: (app: TestApp) => Promise<T>,
): Promise<T> {
  const app = await startApp({
    profiles: setup.profiles,
    tailscale: {
      ...(setup.devices ? { devices: setup.devices } : {}),
      latencyMs: 150,
    },
    slack: {
      users: workspaceFor(parseConfig({ profiles: setup.profiles }).profiles),
      latencyMs: 50,
      ...setup.slack,
    },
    env: setup.env ?? {},
  });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

/** Opens the request form as Alice and chooses the profile `profile`. */
export async function openForm(app: TestApp, profile: string): Promise<void> {
  await app.platform.startWorkflow("request_tailscale_access", PEOPLE.alice);
  await app.platform.choose(
    PEOPLE.alice,
    "What do you need access to?",
    profile,
  );
}

/** Alice types `query` into the device picker and picks its first device. */
export async function pickFirstDevice(
  app: TestApp,
  query: string,
): Promise<void> {
  const options = await app.platform.suggest(PEOPLE.alice, DEVICE, query);
  const first = (options.option_groups?.[0]?.options ?? options.options)[0];
  app.platform.selectSuggested(PEOPLE.alice, DEVICE, first);
}

/** The value below which a share `p` (0..1) of `values` lie. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

/** How long `fn` took, in ms. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** "123 ms". */
export const ms = (n: number): string => `${Math.round(n)} ms`;
/** "1.5 s". */
export const seconds = (n: number): string => `${(n / 1000).toFixed(1)} s`;
/** "512 B", "1.5 KiB", "20 KiB". */
export const kb = (n: number): string =>
  n < 1024
    ? `${Math.round(n)} B`
    : `${(n / 1024).toFixed(n < 10_240 ? 1 : 0)} KiB`;
