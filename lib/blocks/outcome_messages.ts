/**
 * How a request ended, as messages: the decided prompt (also what the
 * notify channel is sent), the requester's notice, and the notices while a
 * slow grant is being finished. Pure Block Kit builders.
 *
 * @module
 */
import { escapeMrkdwn } from "../devices/mod.ts";
import { targetName } from "../grants/mod.ts";
import {
  decidersOf,
  onTarget,
  requestBlocks,
  type RequestSummary,
  slackDate,
} from "./approval_messages.ts";
import type { SlackMessage } from "./block_kit.ts";

/** How a request ended. */
export type Outcome =
  | {
    kind: "granted";
    expiresAt: Date;
    selfApproved: boolean;
    /** An emergency grant (break-glass): nobody approved it. */
    breakGlass?: boolean;
    note?: string;
    /**
     * A group grant whose login was already in the group: the app added
     * nothing, and will remove nothing when the access ends.
     */
    alreadyMember?: boolean;
  }
  | { kind: "denied"; reason?: string }
  | { kind: "failed"; error: string }
  | { kind: "expired" }
  | { kind: "cancelled" }
  /** Approved; the grant did not fit in its handler and is being finished. */
  | { kind: "in_progress" };

/** Says that a group grant changed nothing because the login was a member. */
function alreadyMemberNote(s: RequestSummary, o: Outcome): string {
  return o.kind === "granted" && o.alreadyMember && s.target.kind === "group"
    ? ` \`${
      escapeMrkdwn(s.target.login)
    }\` was already a member of \`${s.target.group}\` before this grant, so the app added nothing and will not remove them when it ends.`
    : "";
}

/** ` Note: "…"` for a decision that has one. */
function quoted(label: string, text: string | undefined): string {
  return text ? ` ${label}: “${escapeMrkdwn(text)}”` : "";
}

function outcomeLine(s: RequestSummary, o: Outcome): string {
  switch (o.kind) {
    case "granted":
      return `:white_check_mark: ${
        o.breakGlass
          ? `Emergency access taken by <@${s.requesterId}>, without an approver`
          : `${o.selfApproved ? "Self-approved" : "Approved"} by ${
            decidersOf(s)
          }`
      }. Access is active until ${slackDate(o.expiresAt)}.${
        quoted("Note", o.note)
      }${alreadyMemberNote(s, o)}`;
    case "denied":
      return `:x: Denied by <@${s.deciderId ?? s.approverId}>.${
        quoted("Reason", o.reason)
      } Nothing was changed in Tailscale.`;
    case "failed":
      return `:warning: Approved by ${decidersOf(s)}, but the grant *failed*: ${
        escapeMrkdwn(o.error)
      } Access was not granted.`;
    case "expired":
      return `:hourglass: Nobody decided in time, so the request expired. Nothing was changed in Tailscale.`;
    case "cancelled":
      return `:leftwards_arrow_with_hook: Cancelled by <@${s.requesterId}>. Nothing was changed in Tailscale.`;
    case "in_progress":
      return `:hourglass_flowing_sand: Approved by ${
        decidersOf(s)
      }. Tailscale is slow to answer, so the grant is being finished; everyone is told when it is done.`;
  }
}

/**
 * A decided request: the summary with its outcome and no buttons. Replaces
 * the approver's prompt and is what the notify channel is sent.
 */
export function decidedApprovalMessage(
  s: RequestSummary,
  o: Outcome,
): SlackMessage {
  return {
    text: plainOutcome(s, o),
    blocks: [
      ...requestBlocks(s),
      {
        type: "context",
        block_id: "outcome",
        elements: [{ type: "mrkdwn", text: outcomeLine(s, o) }],
      },
    ],
  };
}

/** Tells the requester how their request ended. */
export function requesterOutcomeMessage(
  s: RequestSummary,
  o: Outcome,
): SlackMessage {
  const what = `*${escapeMrkdwn(s.profile.description)}* ${onTarget(s.target)}`;
  let text: string;
  switch (o.kind) {
    case "granted":
      text = `:white_check_mark: Your ${
        s.extendsUntil ? "extended " : ""
      }access to ${what} is active until ${slackDate(o.expiresAt)} (${
        o.breakGlass
          ? "emergency access, without an approver"
          : o.selfApproved
          ? "self-approved"
          : `approved by ${decidersOf(s)}`
      }).${quoted("Note", o.note)}${alreadyMemberNote(s, o)}`;
      break;
    case "denied":
      text = `:x: <@${s.deciderId ?? s.approverId}> denied your ${
        s.extendsUntil ? "extension " : ""
      }request for ${what}.${quoted("Reason", o.reason)}`;
      break;
    case "expired":
      text = `:hourglass: Your request for ${what} expired: ${
        s.approvals
          ? `it did not get ${s.approvals.required} approvals`
          : `<@${s.approverId}> did not decide`
      } in time. Nothing was granted; you can ask again.`;
      break;
    case "cancelled":
      text =
        `:leftwards_arrow_with_hook: You cancelled your request for ${what}.`;
      break;
    case "failed":
      text = `:warning: ${
        decidersOf(s)
      } approved your request for ${what}, but the grant *failed*: ${
        escapeMrkdwn(o.error)
      } You do not have access. Try again later or ask a tailnet admin.`;
      break;
    case "in_progress":
      text = `:hourglass_flowing_sand: ${
        decidersOf(s)
      } approved your request for ${what}. Tailscale is slow to answer, so the grant is being finished; you will hear here when it is done.`;
      break;
  }
  return {
    text: plainOutcome(s, o),
    blocks: [{
      type: "section",
      block_id: "outcome",
      text: { type: "mrkdwn", text },
    }],
  };
}

/** One-line plain outcome, for notification text. */
function plainOutcome(s: RequestSummary, o: Outcome): string {
  const who = `<@${s.requesterId}>`;
  const what = `${s.profile.description} ${
    s.target.kind === "device" ? "on" : "in"
  } ${targetName(s.target)}`;
  switch (o.kind) {
    case "granted":
      return `${who} was granted ${what} until ${slackDate(o.expiresAt)}`;
    case "denied":
      return `${who}'s request for ${what} was denied`;
    case "failed":
      return `${who}'s request for ${what} was approved but the grant failed`;
    case "expired":
      return `${who}'s request for ${what} expired undecided`;
    case "cancelled":
      return `${who} cancelled their request for ${what}`;
    case "in_progress":
      return `${who}'s request for ${what} was approved; the grant is in progress`;
  }
}

/**
 * The approver's prompt once approved but not yet granted (handed on past
 * Slack's time limit): the summary, no buttons, and what is happening.
 */
export function grantInProgressMessage(s: RequestSummary): SlackMessage {
  return decidedApprovalMessage(s, { kind: "in_progress" });
}

/** What the person who approved is told when the grant is handed on. */
export function grantInProgressText(
  s: RequestSummary,
  decider: string,
): string {
  return `:hourglass_flowing_sand: <@${decider}>, your approval of <@${s.requesterId}>'s request for *${
    escapeMrkdwn(s.profile.description)
  }* is recorded. Tailscale is slow to answer, so the grant is being finished in the background (within a few minutes); you and <@${s.requesterId}> will be told when it is done, or if it fails.`;
}
