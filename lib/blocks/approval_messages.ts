/**
 * Messages about a request: the summary every message about it shows, the
 * approver's prompt, and plain notices, as pure Block Kit builders. How a
 * request ended is in `outcome_messages.ts`.
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
import { type Target, targetLink } from "../grants/mod.ts";
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
  /** When the access is to start, if later than its approval. */
  startsAt?: Date;
  /** Who decided, when not `approverId` (an escalated approver). */
  deciderId?: string;
  /** When several approvals are needed: how many, who was asked, who approved. */
  approvals?: ApprovalProgress;
};

/** Where a request that needs several approvals stands. */
export type ApprovalProgress = {
  required: number;
  /** Everyone asked, in the order they were asked. */
  asked: string[];
  /** Who has approved so far, in order. */
  by: string[];
};

/** Mentions of `users`: "<@A>", "<@A> and <@B>", "<@A>, <@B> and <@C>". */
export function mentions(users: readonly string[]): string {
  const all = users.map((u) => `<@${u}>`);
  return all.length < 2
    ? all.join("")
    : `${all.slice(0, -1).join(", ")} and ${all.at(-1)}`;
}

/** Who approved or decided: every approver when several were needed. */
export function decidersOf(s: RequestSummary): string {
  return s.approvals?.by.length
    ? mentions(s.approvals.by)
    : `<@${s.deciderId ?? s.approverId}>`;
}

/** "1 of 2 approvals: <@B>", or "0 of 2 approvals so far". */
export function progressText(p: ApprovalProgress): string {
  return `${p.by.length} of ${p.required} approvals${
    p.by.length ? `: ${mentions(p.by)}` : " so far"
  }`;
}

/** The progress line under a prompt that needs several approvals. */
function progressBlocks(s: RequestSummary): Block[] {
  return s.approvals
    ? [{
      type: "context",
      block_id: "approvals",
      elements: [mrkdwn(`:busts_in_silhouette: ${progressText(s.approvals)}`)],
    }]
    : [];
}

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
    : `<@${s.requesterId}> requests access to ${profile}${startingText(s)}.`;
}

/** ", starting <date>" for a request that starts later, else "". */
function startingText(s: RequestSummary): string {
  return s.startsAt ? `, starting ${slackDate(s.startsAt)}` : "";
}

/** The request's summary under its headline, as every message shows it. */
export function requestBlocks(s: RequestSummary): Block[] {
  return summaryBlocks(s, requestHeadline(s));
}

/**
 * One line of small print saying what the grant opens (plain text from
 * `opensText` in lib/policy, escaped here); none without a line.
 */
function opensBlocks(opens: string | undefined): Block[] {
  return opens === undefined ? [] : [{
    type: "context",
    block_id: "opens",
    elements: [mrkdwn(escapeMrkdwn(opens))],
  }];
}

/**
 * A workflow button that runs the decision workflow for one request
 * (`decision`: a {@linkcode Decision}, or a break-glass review action).
 */
export function decisionButton(
  link: DecisionLink,
  decision: string,
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
 * pending, whatever became of the step that posted them. `opens` says
 * what approving opens, in one line.
 */
export function approvalRequestMessage(
  s: RequestSummary,
  link: DecisionLink,
  opens?: string,
): SlackMessage {
  return {
    text: `<@${s.requesterId}> ${
      s.extendsUntil ? "asks to extend" : "requests"
    } Tailscale access to ${s.profile.description}`,
    blocks: [
      ...requestBlocks(s),
      ...opensBlocks(opens),
      ...progressBlocks(s),
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

/**
 * Tells the requester their request reached the approver, and (`opens`)
 * what approving it would open.
 */
export function requestSentMessage(
  s: RequestSummary,
  opens?: string,
): SlackMessage {
  const text = `Your request for access to *${
    escapeMrkdwn(s.profile.description)
  }* ${onTarget(s.target)} for ${formatDuration(s.durationSeconds)}${
    startingText(s)
  } was sent to ${
    s.approvals
      ? `${mentions(s.approvals.asked)} (${s.approvals.required} must approve)`
      : `<@${s.approverId}>`
  }. You will hear here when they decide.`;
  return {
    text: `Your request for ${s.profile.description} was sent to the approver`,
    blocks: [{
      type: "section",
      block_id: "sent",
      text: { type: "mrkdwn", text },
    }, ...opensBlocks(opens)],
  };
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
