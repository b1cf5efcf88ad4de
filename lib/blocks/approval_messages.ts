/**
 * Messages about a request: the approver's prompt and everyone's outcome
 * notices, as pure Block Kit builders.
 *
 * @module
 */
import type { Profile } from "../config_schema.ts";
import {
  adminConsoleUrl,
  deviceName,
  escapeMrkdwn,
  isTagged,
  ownershipText,
  primaryAddress,
} from "../device_text.ts";
import { formatDuration } from "../durations.ts";
import type { Device } from "../tailscale/mod.ts";

/** action_id of the Approve button. */
export const APPROVE_ACTION = "approve_request";
/** action_id of the Deny button (it asks for a reason in a modal). */
export const DENY_ACTION = "deny_request";
/** block_id and action_id of the approver's optional note in the prompt. */
export const NOTE_FIELD = "decision_note";
/** Longest note or reason an approver may give. */
export const MAX_NOTE_LENGTH = 300;

// deno-lint-ignore no-explicit-any
type Block = Record<string, any>;
/** A message: fallback text (notifications, screen readers) and blocks. */
export type SlackMessage = { text: string; blocks: Block[] };

/** A request with its profile and device resolved. */
export type RequestSummary = {
  requesterId: string;
  approverId: string;
  /** The requester's Slack email, to tell whether the device is theirs. */
  requesterEmail?: string;
  profile: Profile;
  device: Device;
  durationSeconds: number;
  reason: string;
  /** For an extension: when the access would end if approved. */
  extendsUntil?: Date;
};

/** How a request ended. */
export type Outcome =
  | { kind: "granted"; expiresAt: Date; selfApproved: boolean; note?: string }
  | { kind: "denied"; reason?: string }
  | { kind: "failed"; error: string }
  | { kind: "expired" }
  | { kind: "cancelled" };

/** A date Slack renders in each reader's own time zone. */
export function slackDate(date: Date): string {
  const unix = Math.floor(date.getTime() / 1000);
  const fallback = date.toISOString().replace(/\.\d+Z$/, "Z");
  return `<!date^${unix}^{date_short_pretty} at {time}|${fallback}>`;
}

/** `alice-laptop` linked to the admin console. */
function deviceLink(device: Device): string {
  return `<${adminConsoleUrl(device)}|${escapeMrkdwn(deviceName(device))}>`;
}

/**
 * Says plainly when the device is not the requester's own (tagged, or
 * registered by someone else); null when it is theirs.
 */
export function foreignDeviceNote(s: RequestSummary): string | null {
  if (isTagged(s.device)) {
    return `This is a tagged device (${
      s.device.tags.join(", ")
    }), not the requester's own.`;
  }
  const owner = s.device.user.toLowerCase();
  if (!s.requesterEmail || owner !== s.requesterEmail.toLowerCase()) {
    return `This device belongs to someone else (${
      s.device.user || "unknown owner"
    }), not to the requester.`;
  }
  return null;
}

function summaryBlocks(s: RequestSummary, headline: string): Block[] {
  const address = primaryAddress(s.device);
  const foreign = foreignDeviceNote(s);
  return [
    {
      type: "section",
      block_id: "summary",
      text: { type: "mrkdwn", text: headline },
      fields: [
        {
          type: "mrkdwn",
          text: `*Device*\n${deviceLink(s.device)}${
            address ? ` (${address})` : ""
          }`,
        },
        {
          type: "mrkdwn",
          text: `*Device is*\n${escapeMrkdwn(ownershipText(s.device))}`,
        },
        {
          type: "mrkdwn",
          text: `*Duration*\n${formatDuration(s.durationSeconds)}`,
        },
        {
          type: "mrkdwn",
          text: `*Attribute*\n\`${s.profile.attribute}\``,
        },
      ],
    },
    ...(foreign
      ? [{
        type: "section",
        block_id: "foreign_device",
        text: { type: "mrkdwn", text: `:warning: *${escapeMrkdwn(foreign)}*` },
      }]
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

/**
 * The approver's prompt: an optional note for the requester, Approve, and
 * Deny (which asks for a reason).
 */
export function approvalRequestMessage(s: RequestSummary): SlackMessage {
  return {
    text: `<@${s.requesterId}> ${
      s.extendsUntil ? "asks to extend" : "requests"
    } Tailscale access to ${s.profile.description}`,
    blocks: [
      ...summaryBlocks(s, requestHeadline(s)),
      {
        type: "input",
        block_id: NOTE_FIELD,
        optional: true,
        label: { type: "plain_text", text: "Note to the requester" },
        element: {
          type: "plain_text_input",
          action_id: NOTE_FIELD,
          max_length: MAX_NOTE_LENGTH,
          placeholder: {
            type: "plain_text",
            text: "Optional, sent with your decision",
          },
        },
      },
      {
        type: "actions",
        block_id: "decision",
        elements: [
          {
            type: "button",
            action_id: APPROVE_ACTION,
            text: { type: "plain_text", text: "Approve" },
            style: "primary",
            value: "approve",
          },
          {
            type: "button",
            action_id: DENY_ACTION,
            text: { type: "plain_text", text: "Deny…" },
            style: "danger",
            value: "deny",
          },
        ],
      },
    ],
  };
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
      }.${quoted("Note", o.note)}`;
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
  }* on ${deviceLink(s.device)} for ${
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
  const what = `*${escapeMrkdwn(s.profile.description)}* on ${
    deviceLink(s.device)
  }`;
  let text: string;
  switch (o.kind) {
    case "granted":
      text = `:white_check_mark: Your ${
        s.extendsUntil ? "extended " : ""
      }access to ${what} is active until ${slackDate(o.expiresAt)} (${
        o.selfApproved ? "self-approved" : `approved by <@${s.approverId}>`
      }).${quoted("Note", o.note)}`;
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
  const what = `${s.profile.description} on ${deviceName(s.device)}`;
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
  }
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
