/**
 * What every part of the app shares: the one Slack client type and the IDs
 * of the app's workflows (used by `workflows/`, by the triggers the app
 * creates, and by the tests).
 *
 * @module
 */
import type { SlackAPI } from "deno-slack-sdk/mod.ts";

/** The Slack Web API client a function handler receives. */
export type SlackClient = ReturnType<typeof SlackAPI>;

/**
 * The `callback_id` of each workflow in the manifest.
 *
 * @example
 * ```ts
 * import { WORKFLOWS } from "./context.ts";
 * const workflow = `#/workflows/${WORKFLOWS.lifecycle}`;
 * ```
 */
export const WORKFLOWS = {
  /** The shortcut's request form and its review. */
  request: "request_tailscale_access",
  /** One decision (Approve, Approve with note…, Deny…), from a workflow button. */
  decide: "decide_tailscale_access",
  /** A grant's or request's scheduled event (reminder, expiry, timeout, resume). */
  lifecycle: "grant_lifecycle",
  /** The person's list of grants and requests. */
  myAccess: "my_tailscale_access",
  /** The periodic check that ends and repairs grants. */
  reconcile: "reconcile_group_access",
  /** The admin-only login overrides. */
  loginOverrides: "manage_tailscale_logins",
  /** The admin-only setup checks, reported as DMs. */
  checkSetup: "check_tailscale_setup",
} as const;
