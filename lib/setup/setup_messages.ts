/**
 * What the "Check Tailscale access setup" shortcut sends: the report to an
 * admin as DMs, or a refusal to anyone else. Pure.
 *
 * @module
 */
import { noticeMessage, type SlackMessage } from "../blocks/mod.ts";
import { escapeMrkdwn } from "../devices/mod.ts";
import { reportMessages, type SetupCheck } from "./report.ts";

/** The answer to anyone but an admin who runs the shortcut. */
export const NOT_ADMIN_SETUP_TEXT =
  '"Check Tailscale access setup" is for the tailnet admins listed in ' +
  "config.ts (`admins`). Ask one of them to run it.";

/**
 * The report as DMs: one message per chunk of lines (a section's text holds
 * at most 3,000 characters).
 *
 * @example
 * ```ts
 * for (const message of setupReportMessages(checks)) {
 *   await post(client, adminId, message);
 * }
 * ```
 */
export function setupReportMessages(
  checks: readonly SetupCheck[],
): SlackMessage[] {
  return reportMessages(checks).map(noticeMessage);
}

/**
 * The DM when the checks themselves could not finish (a bug, not a failed
 * check: those are lines of the report).
 *
 * @example
 * ```ts
 * await post(client, adminId, setupCrashedMessage(errorText(e)));
 * ```
 */
export function setupCrashedMessage(error: string): SlackMessage {
  return noticeMessage(
    `The setup check could not finish: ${escapeMrkdwn(error)}. ` +
      "`deno task doctor` on your machine runs the same checks.",
  );
}
