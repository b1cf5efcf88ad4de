/**
 * Messages about access that starts later: approved and waiting for its
 * start, ended before it started, or refused at the start. Pure builders;
 * every time is Slack's date formatting (`slackDate`).
 *
 * @module
 */
import { escapeMrkdwn } from "../devices/mod.ts";
import {
  onTarget,
  requestBlocks,
  type RequestSummary,
  slackDate,
} from "./approval_messages.ts";
import type { SlackMessage } from "./block_kit.ts";

/** When a scheduled grant starts and ends, and who approved it. */
export type ScheduledFacts = { startsAt: Date; endsAt: Date; by: string };

function what(s: RequestSummary): string {
  return `*${escapeMrkdwn(s.profile.description)}* ${onTarget(s.target)}`;
}

/** "approved by <@U>, starts … and ends …": the line every message shows. */
export function startsLine(f: ScheduledFacts): string {
  return `approved by <@${f.by}>, starts ${slackDate(f.startsAt)} and ends ${
    slackDate(f.endsAt)
  }`;
}

/**
 * The approver's prompt (and the notify channel) once the request is
 * approved to start later: the request, and when it starts.
 *
 * @example
 * ```ts
 * await update(client, prompt, scheduledApprovalMessage(summary, facts));
 * ```
 */
export function scheduledApprovalMessage(
  s: RequestSummary,
  f: ScheduledFacts,
): SlackMessage {
  const line = `:calendar: Approved, starts later: ${startsLine(f)}.`;
  return {
    text: `Access to ${s.profile.description} ${startsLine(f)}`,
    blocks: [
      ...requestBlocks(s),
      { type: "context", block_id: "outcome", elements: [mrkdwnText(line)] },
    ],
  };
}

/**
 * Tells the requester their access is approved and when it starts.
 *
 * @example
 * ```ts
 * await post(client, summary.requesterId, scheduledRequesterMessage(summary, facts));
 * ```
 */
export function scheduledRequesterMessage(
  s: RequestSummary,
  f: ScheduledFacts,
): SlackMessage {
  const text = `:calendar: Your access to ${
    what(s)
  } is approved, starts later: ${
    startsLine(f)
  }. Nothing is granted until then; you will hear here when it starts. To cancel it, use the “My Tailscale access” shortcut.`;
  return sectionMessage(text, "scheduled");
}

/**
 * Tells someone a scheduled grant ended before its start (cancelled by its
 * requester, or revoked), so nothing was granted.
 */
export function scheduledEndedMessage(
  s: RequestSummary,
  f: ScheduledFacts,
  ended: { state: "cancelled" | "revoked"; by: string; reason?: string },
): SlackMessage {
  const verb = ended.state === "cancelled" ? "cancelled" : "revoked";
  const text = `:leftwards_arrow_with_hook: <@${s.requesterId}>'s access to ${
    what(s)
  } (${startsLine(f)}) was ${verb} by <@${ended.by}> before it started.${
    ended.reason ? ` Reason: ${escapeMrkdwn(ended.reason)}.` : ""
  } Nothing was granted.`;
  return sectionMessage(text, "scheduled_ended");
}

/**
 * Why a scheduled grant did not start (`why`: a sentence from the checks
 * at the start), for the requester and the approver.
 */
export function startRefusedText(
  requesterId: string,
  description: string,
  startsAt: Date,
  why: string,
): string {
  return `:no_entry: <@${requesterId}>'s access to *${
    escapeMrkdwn(description)
  }*, approved to start ${slackDate(startsAt)}, did not start: ${why}${
    /Nothing was granted\.$/.test(why) ? "" : " Nothing was granted."
  }`;
}

function mrkdwnText(text: string) {
  return { type: "mrkdwn" as const, text };
}

function sectionMessage(text: string, blockId: string): SlackMessage {
  return {
    text,
    blocks: [{ type: "section", block_id: blockId, text: mrkdwnText(text) }],
  };
}
