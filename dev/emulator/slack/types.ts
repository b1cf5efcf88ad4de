/**
 * The shapes the Slack emulator records and is set up with: people,
 * channels, messages, views, completions, recorded calls and options.
 *
 * @module
 */

/** A workspace member as the fake knows them. */
export type FakeSlackUser = {
  id: string;
  team_id?: string;
  name: string;
  real_name: string;
  email?: string;
  tz: string;
  tz_label: string;
  tz_offset: number;
  deleted?: boolean;
  is_bot?: boolean;
  /** A multi-channel guest (single-channel guests have both flags). */
  is_restricted?: boolean;
  /** A single-channel guest. */
  is_ultra_restricted?: boolean;
  /** An app user (Slack's `is_app_user`). */
  is_app_user?: boolean;
};

/** A channel; `is_member` says whether the bot is in it. */
export type FakeChannel = {
  id: string;
  name: string;
  is_private: boolean;
  is_member: boolean;
};

/** One Web API request as received, with the answer it got. */
export type RecordedSlackCall = {
  method: string;
  args: Record<string, unknown>;
  response: Record<string, unknown>;
  /** When the call arrived, by the fake's clock (epoch ms). */
  at?: number;
  /** The function execution whose token made the call, if one did. */
  execution?: string;
  /**
   * Datastore query and count: how many stored items the scan evaluated
   * (read, before the filter), which is what a query costs on Slack.
   */
  evaluated?: number;
};

/** A message in its latest state; `updates` counts chat.update calls on it. */
export type FakeMessage = {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown[];
  ephemeral_user?: string;
  thread_ts?: string;
  updates: number;
};

/** An open modal view. `view` is what Slack returned for it. */
export type FakeView = {
  id: string;
  hash: string;
  user: string;
  view: Record<string, unknown>;
};

/** A functions.completeSuccess / completeError call that was accepted. */
export type FakeCompletion = {
  function_execution_id: string;
  kind: "success" | "error";
  outputs?: unknown;
  error?: string;
};

/** A Block Kit problem found on a call. */
export type BlockKitViolation = {
  method: string;
  path: string;
  message: string;
};

/** A Slack user group (subteam). */
export type FakeUsergroup = {
  id: string;
  handle: string;
  name: string;
  users: string[];
  /** Non-zero when the group is disabled. */
  date_delete?: number;
};

/** How to set up a {@link SlackFake}. */
export interface SlackFakeOptions {
  /** Workspace members; default {@link slackPeople}. */
  users?: FakeSlackUser[];
  /** User groups; default S0APPROVE1 "prod-approvers" with Bob and Carol. */
  usergroups?: FakeUsergroup[];
  /**
   * Channels; default C0NOTIFY01 "access-log" (public, bot is a member) and
   * C0PRIVATE1 "secret" (private, bot is not a member).
   */
  channels?: FakeChannel[];
  /** Datastore name -> primary key attribute name. */
  datastores?: Record<string, string>;
  /** The only token accepted; default "xoxb-fake-bot-token". */
  botToken?: string;
  /**
   * Wall clock in epoch milliseconds; default Date.now. Lets a test expire
   * interactivity pointers without sleeping. Message ts values follow it too.
   */
  clock?: () => number;
  /** Added to every answer, e.g. 50 ms to benchmark as if Slack were remote. */
  latencyMs?: number;
  /**
   * Added to answers of one method, on top of `latencyMs`: e.g.
   * `{"apps.datastore.query": 50}` to price a datastore scan page (a Tier 4
   * method) above a `get`.
   */
  methodLatencyMs?: Record<string, number>;
  /**
   * Let one function execution complete another (`functions.completeSuccess`
   * / `completeError` with another execution's ID). Off by default: Slack
   * documents `access_denied` ("This actor does not have access to this
   * function execution") and nothing public shows it allowed.
   */
  allowCrossExecutionCompletion?: boolean;
  /**
   * Answer bursts of `workflows.triggers.*` calls with `token_revoked`, as
   * Slack has (see {@link TRIGGER_BURST_MS}); default true. `false` relaxes
   * that for a test that makes trigger calls back to back on purpose.
   */
  refuseTriggerBursts?: boolean;
}

/** What {@link SlackFake.failNextTriggerCalls} makes a trigger call answer. */
export type TriggerFailure = {
  /** Only calls of this method (default: any trigger method). */
  method?: "create" | "update" | "delete" | "list";
  /** Only calls whose arguments, as JSON, match (e.g. a trigger's name). */
  match?: RegExp;
  /**
   * The HTTP status: 200 by default (`{ok: false, error}`), 429 for
   * `ratelimited` (as Slack answers it, with `Retry-After`). The SDK client
   * throws for any status but 2xx.
   */
  status?: number;
  /** `Retry-After` in seconds, with 429; default 1. */
  retryAfterSeconds?: number;
};

/** The fake bot's own identity, as auth.test reports it. */
export const FAKE_BOT = {
  userId: "U0FAKEBOT1",
  botId: "B0FAKEBOT1",
  appId: "A0FAKEAPP1",
  name: "tailscale-access",
} as const;
