/**
 * Messages about a request: the approver's prompt and everyone's outcome
 * notices, as pure Block Kit builders.
 *
 * @module
 */
import type { Profile } from "../config_schema.ts";
import {
  escapeMrkdwn,
  isTagged,
  ownershipText,
  primaryAddress,
} from "../devices/mod.ts";
import { formatDuration } from "../durations.ts";
import type { Device } from "../tailscale/mod.ts";
import { type Target, targetLink, targetName } from "../grants/mod.ts";
import {
  type Block,
  mrkdwn,
  type SlackMessage,
  type WorkflowButton,
} from "./block_kit.ts";

/** Longest note or reason an approver may give. */
export const MAX_NOTE_LENGTH = 300;

/**
 * What a decision button asks for: approve at once, approve with a note
 * (asked in a modal), or deny (a reason asked in a modal).
 */
export const DECISIONS = ["approve", "approve_note", "deny"] as const;
/** One of {@linkcode DECISIONS}. */
export type Decision = typeof DECISIONS[number];

/**
 * Where the decision buttons lead: the link trigger of the decision
 * workflow, with the request as a customizable input.
 */
export type DecisionLink = { url: string; requestId: string };

/** A request with its profile and device resolved. */
export type RequestSummary = {
  requesterId: string;
  approverId: string;
  /** The requester's Slack email, to tell whether the device is theirs. */
  requesterEmail?: string;
  profile: Profile;
  /** The device the attribute goes on, or the group and login. */
  target: Target;
  durationSeconds: number;
  reason: string;
  /** For an extension: when the access would end if approved. */
  extendsUntil?: Date;
};

/** How a request ended. */
export type Outcome =
  | {
    kind: "granted";
    expiresAt: Date;
    selfApproved: boolean;
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

/** "on <device>" or "in `group:prod` as `login`". */
export function onTarget(target: Target): string {
  return `${target.kind === "device" ? "on" : "in"} ${targetLink(target)}`;
}

/** A date Slack renders in each reader's own time zone. */
export function slackDate(date: Date): string {
  const unix = Math.floor(date.getTime() / 1000);
  const fallback = date.toISOString().replace(/\.\d+Z$/, "Z");
  return `<!date^${unix}^{date_short_pretty} at {time}|${fallback}>`;
}

/**
 * Says plainly when the device is not the requester's own (tagged, or
 * registered by someone else); null when it is theirs.
 */
export function foreignDeviceNote(
  device: Device,
  requesterEmail: string | undefined,
): string | null {
  if (isTagged(device)) {
    return `This is a tagged device (${
      device.tags.join(", ")
    }), not the requester's own.`;
  }
  const owner = device.user.toLowerCase();
  if (!requesterEmail || owner !== requesterEmail.toLowerCase()) {
    return `This device belongs to someone else (${
      device.user || "unknown owner"
    }), not to the requester.`;
  }
  return null;
}

/** The summary's fields: the device and attribute, or the group and login. */
function targetFields(s: RequestSummary): string[] {
  const duration = `*Duration*\n${formatDuration(s.durationSeconds)}`;
  if (s.target.kind === "group") {
    return [
      `*Group*\n\`${s.target.group}\``,
      `*Tailscale login added*\n\`${escapeMrkdwn(s.target.login)}\``,
      duration,
    ];
  }
  const { device } = s.target;
  const address = primaryAddress(device);
  return [
    `*Device*\n${targetLink(s.target)}${address ? ` (${address})` : ""}`,
    `*Device is*\n${escapeMrkdwn(ownershipText(device))}`,
    duration,
    `*Attribute*\n\`${s.profile.attribute}\``,
  ];
}

function summaryBlocks(s: RequestSummary, headline: string): Block[] {
  const foreign = s.target.kind === "device"
    ? foreignDeviceNote(s.target.device, s.requesterEmail)
    : null;
  return [
    {
      type: "section",
      block_id: "summary",
      text: { type: "mrkdwn", text: headline },
      fields: targetFields(s).map(mrkdwn),
    },
    ...(foreign
      ? [
        {
          type: "section",
          block_id: "foreign_device",
          text: {
            type: "mrkdwn",
            text: `:warning: *${escapeMrkdwn(foreign)}*`,
          },
        } satisfies Block,
      ]
      : []),
    {
      type: "section",
      block_id: "reason",
      text: { type: "mrkdwn", text: `*Reason*\n>${escapeMrkdwn(s.reason)}` },
    },
  ];
}

function requestHeadline(s: RequestSummary): string {
  const profile = `*${escapeMrkdwn(s.profile.description)}*`;
  return s.extendsUntil
    ? `<@${s.requesterId}> asks to *extend* access to ${profile} by ${
      formatDuration(s.durationSeconds)
    }, until ${slackDate(s.extendsUntil)}.`
    : `<@${s.requesterId}> requests access to ${profile}.`;
}

/** A workflow button that runs the decision workflow for one request. */
function decisionButton(
  link: DecisionLink,
  decision: Decision,
  text: string,
  style?: "primary" | "danger",
): WorkflowButton {
  return {
    type: "workflow_button",
    action_id: `decide_${decision}`,
    text: { type: "plain_text", text },
    ...(style ? { style } : {}),
    workflow: {
      trigger: {
        url: link.url,
        customizable_input_parameters: [
          { name: "request_id", value: link.requestId },
          { name: "decision", value: decision },
        ],
      },
    },
  };
}

/**
 * The approver's prompt: Approve, Approve with a note, and Deny (which asks
 * for a reason). The buttons are workflow buttons: each click runs the
 * decision workflow on its own, so they work for as long as the request is
 * pending, whatever became of the step that posted them.
 */
export function approvalRequestMessage(
  s: RequestSummary,
  link: DecisionLink,
): SlackMessage {
  return {
    text: `<@${s.requesterId}> ${
      s.extendsUntil ? "asks to extend" : "requests"
    } Tailscale access to ${s.profile.description}`,
    blocks: [
      ...summaryBlocks(s, requestHeadline(s)),
      {
        type: "actions",
        block_id: "decision",
        elements: [
          decisionButton(link, "approve", "Approve", "primary"),
          decisionButton(link, "approve_note", "Approve with note…"),
          decisionButton(link, "deny", "Deny…", "danger"),
        ],
      },
    ],
  };
}

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
        o.selfApproved ? "Self-approved" : "Approved"
      } by <@${s.approverId}>. Access is active until ${
        slackDate(o.expiresAt)
      }.${quoted("Note", o.note)}${alreadyMemberNote(s, o)}`;
    case "denied":
      return `:x: Denied by <@${s.approverId}>.${
        quoted("Reason", o.reason)
      } Nothing was changed in Tailscale.`;
    case "failed":
      return `:warning: Approved by <@${s.approverId}>, but the grant *failed*: ${
        escapeMrkdwn(o.error)
      } Access was not granted.`;
    case "expired":
      return `:hourglass: Nobody decided in time, so the request expired. Nothing was changed in Tailscale.`;
    case "cancelled":
      return `:leftwards_arrow_with_hook: Cancelled by <@${s.requesterId}>. Nothing was changed in Tailscale.`;
    case "in_progress":
      return `:hourglass_flowing_sand: Approved by <@${s.approverId}>. Tailscale is slow to answer, so the grant is being finished; everyone is told when it is done.`;
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
      ...summaryBlocks(s, requestHeadline(s)),
      {
        type: "context",
        block_id: "outcome",
        elements: [{ type: "mrkdwn", text: outcomeLine(s, o) }],
      },
    ],
  };
}

/** Tells the requester their request reached the approver. */
export function requestSentMessage(s: RequestSummary): SlackMessage {
  const text = `Your request for access to *${
    escapeMrkdwn(s.profile.description)
  }* ${onTarget(s.target)} for ${
    formatDuration(s.durationSeconds)
  } was sent to <@${s.approverId}>. You will hear here when they decide.`;
  return {
    text: `Your request for ${s.profile.description} was sent to the approver`,
    blocks: [{
      type: "section",
      block_id: "sent",
      text: { type: "mrkdwn", text },
    }],
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
        o.selfApproved ? "self-approved" : `approved by <@${s.approverId}>`
      }).${quoted("Note", o.note)}${alreadyMemberNote(s, o)}`;
      break;
    case "denied":
      text = `:x: <@${s.approverId}> denied your ${
        s.extendsUntil ? "extension " : ""
      }request for ${what}.${quoted("Reason", o.reason)}`;
      break;
    case "expired":
      text =
        `:hourglass: Your request for ${what} expired: <@${s.approverId}> did not decide in time. Nothing was granted; you can ask again.`;
      break;
    case "cancelled":
      text =
        `:leftwards_arrow_with_hook: You cancelled your request for ${what}.`;
      break;
    case "failed":
      text =
        `:warning: <@${s.approverId}> approved your request for ${what}, but the grant *failed*: ${
          escapeMrkdwn(o.error)
        } You do not have access. Try again later or ask a tailnet admin.`;
      break;
    case "in_progress":
      text =
        `:hourglass_flowing_sand: <@${s.approverId}> approved your request for ${what}. Tailscale is slow to answer, so the grant is being finished; you will hear here when it is done.`;
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
      return `${who} was granted ${what} until ${o.expiresAt.toISOString()}`;
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

/** A plain notice to a person, e.g. why a request could not go ahead. */
export function noticeMessage(text: string): SlackMessage {
  return {
    text,
    blocks: [{
      type: "section",
      block_id: "notice",
      text: { type: "mrkdwn", text },
    }],
  };
}
