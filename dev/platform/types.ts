/**
 * The fake Slack platform's vocabulary: workflow runs and their function
 * executions, events delivered, what the platform is started with, and
 * what a person sees when Slack gave up on the app or dropped their click.
 *
 * @module
 */
import type { SlackFake } from "../emulator/slack.ts";
import type { InvocationPayload } from "../runtime/dispatch.ts";

/** Delivers one event to the app and returns its answer. */
export type Dispatcher = (payload: InvocationPayload) => Promise<unknown>;

/** Slack's payloads, as loosely typed as the app's handlers read them. */
// deno-lint-ignore no-explicit-any
export type Json = any;

/** One function execution of a workflow run. */
export type Execution = {
  id: string;
  callbackId: string;
  inputs: Record<string, unknown>;
  status: "running" | "completed" | "failed";
  outputs?: Record<string, unknown>;
  error?: string;
};

/** One run of a workflow. */
export type WorkflowRun = {
  workflowId: string;
  inputs: Record<string, unknown>;
  executions: Execution[];
  status: "running" | "completed" | "failed";
};

/** One workflow of the manifest: its steps, in order. */
export type WorkflowDef = {
  steps: { id: string; function_id: string; inputs: Record<string, unknown> }[];
};

/** What the platform needs to run the app. */
export type PlatformOptions = {
  slack: SlackFake;
  /** The app's environment (`slack env`), SLACK_API_URL is added. */
  env: Record<string, string>;
  /** How events reach the app (a fresh process each, like Slack). */
  dispatch: Dispatcher;
  /** The manifest's `workflows`. */
  workflows: Record<string, WorkflowDef>;
  /** Moves the emulated wall clock (Slack, Tailscale and the app) forward. */
  advanceClock?: (ms: number) => void;
};

/** The team every payload names. */
export const TEAM_ID = "T0EXAMPLE1";

/** An event Slack delivered to the app. */
export type Delivery = {
  payload: InvocationPayload;
  response: unknown;
  /** The execution the event belongs to. */
  execution: Execution;
};

/** What a person sees when Slack gave up on the app's handler. */
export const HANDLER_TIMED_OUT = { timed_out: true } as const;
/** What a click on a completed execution's message or view does: nothing. */
export const ACTION_DROPPED = { dropped: true } as const;
