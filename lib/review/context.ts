/**
 * What every step of a decision works with: the context of one event (the
 * Slack client, the config, the request store, Slack's time limit), and the
 * result a function step hands back.
 *
 * @module
 */
import { RequestStore, settleMsFrom } from "../requests/mod.ts";
import type { Config } from "../config_schema.ts";
import type { Deadline } from "../slack/mod.ts";
import type { SlackClient } from "../context.ts";

/** What a decision needs from its surroundings. */
export type DecisionContext = {
  client: SlackClient;
  env: Record<string, string>;
  config: Config;
  store: RequestStore;
  settleMs?: number;
  /**
   * When this event's handler must be done (Slack's time limit): Tailscale
   * calls stop waiting before it, and what does not fit is handed on.
   */
  deadline?: Deadline;
};

/** A function handler's result. */
export type StepResult =
  | { completed: false }
  | { outputs: { outcome: string; expires_at?: number } }
  | { error: string };

/**
 * Builds the context for one event, working to `deadline` if given.
 *
 * @example
 * ```ts
 * // In a function handler, with Slack's limit for a function step:
 * const ctx = decisionContext(
 *   client,
 *   env,
 *   config,
 *   Deadline.forHandler("function", env),
 * );
 * return await startReview(ctx, request);
 * ```
 */
export function decisionContext(
  client: SlackClient,
  env: Record<string, string>,
  config: Config,
  deadline?: Deadline,
): DecisionContext {
  return {
    client,
    env,
    config,
    store: new RequestStore(client, env),
    settleMs: settleMsFrom(env),
    ...(deadline ? { deadline } : {}),
  };
}
