/**
 * Break-glass messages: the loud notice in the notify channel that
 * mentions the approvers, each approver's DM with Acknowledge and Revoke
 * (workflow buttons, like the approval prompt's), the acknowledgement, and
 * the notice when an unacknowledged emergency grant has ended. Pure Block
 * Kit builders.
 *
 * @module
 */
import { escapeMrkdwn } from "../devices/mod.ts";
import type { Target } from "../grants/mod.ts";
import {
  decisionButton,
  type DecisionLink,
  onTarget,
  slackDate,
} from "./approval_messages.ts";
import type { Block, SlackMessage } from "./block_kit.ts";

/** What the approvers' buttons on an emergency grant ask for. */
export const BREAK_GLASS_ACTIONS = ["acknowledge", "revoke"] as const;
/** One of {@linkcode BREAK_GLASS_ACTIONS}. */
export type BreakGlassAction = typeof BREAK_GLASS_ACTIONS[number];

/** An emergency grant, as its messages describe it. */
export type BreakGlassFacts = {
  requesterId: string;
  profileName: string;
  target: Target;
  expiresAt: Date;
  reason: string;
};

function what(f: BreakGlassFacts): string {
  return `*${escapeMrkdwn(f.profileName)}* ${onTarget(f.target)}`;
}

function section(blockId: string, text: string): Block {
  return { type: "section", block_id: blockId, text: { type: "mrkdwn", text } };
}

function reasonBlock(f: BreakGlassFacts): Block {
  return section("reason", `*Reason*\n>${escapeMrkdwn(f.reason)}`);
}

/**
 * Who is mentioned: `<@U…>` for approvers found in Slack, `<!subteam^S…>`
 * for approver groups (Slack's mention syntax for user groups).
 */
export function approverMentions(
  people: readonly string[],
  groups: readonly string[],
): string[] {
  return [
    ...people.map((id) => `<@${id}>`),
    ...groups.map((id) => `<!subteam^${id}>`),
  ];
}

/**
 * The notify channel's notice of an emergency grant, mentioning
 * `mentions` (see {@linkcode approverMentions}).
 *
 * @example
 * ```ts
 * post(client, channel, breakGlassChannelMessage(facts, ["<@U0BOB>"]));
 * ```
 */
export function breakGlassChannelMessage(
  f: BreakGlassFacts,
  mentions: readonly string[],
): SlackMessage {
  const who = mentions.length
    ? `${
      mentions.join(" ")
    }: please review it; acknowledge or revoke it from the message in your DMs.`
    : "No approver is configured for this profile: a tailnet admin should review it.";
  return {
    text: `:rotating_light: Emergency access: <@${f.requesterId}> granted ${
      escapeMrkdwn(f.profileName)
    } without approval. ${mentions.join(" ")}`.trim(),
    blocks: [
      section(
        "break_glass",
        `:rotating_light: *Emergency access (break-glass)*: <@${f.requesterId}> granted themselves ${
          what(f)
        } until ${slackDate(f.expiresAt)}, without an approver.`,
      ),
      reasonBlock(f),
      section("approvers", who),
    ],
  };
}

/**
 * An approver's DM about an emergency grant: Acknowledge (reviewed, it may
 * stand) and Revoke (it ends now), as workflow buttons that keep working
 * after the step that posted them completed.
 */
export function breakGlassApproverMessage(
  f: BreakGlassFacts,
  link: DecisionLink,
): SlackMessage {
  return {
    text: `Emergency access: <@${f.requesterId}> granted ${
      escapeMrkdwn(f.profileName)
    } without approval; acknowledge or revoke it`,
    blocks: [
      section(
        "break_glass",
        `:rotating_light: <@${f.requesterId}> used *emergency access* to ${
          what(f)
        } until ${
          slackDate(f.expiresAt)
        }, without an approver. As an approver, review it: *Acknowledge* if it may stand, *Revoke* to end it now.`,
      ),
      reasonBlock(f),
      {
        type: "actions",
        block_id: "break_glass_review",
        elements: [
          decisionButton(link, "acknowledge", "Acknowledge", "primary"),
          decisionButton(link, "revoke", "Revoke", "danger"),
        ],
      },
    ],
  };
}

/** What the requester is told besides their grant: who hears of it. */
export function breakGlassRequesterMessage(f: BreakGlassFacts): SlackMessage {
  const text = `:rotating_light: This is *emergency access* to ${
    what(f)
  }: the approvers were told at once and may revoke it. It ends ${
    slackDate(f.expiresAt)
  } To keep it longer, ask for an extension in “My Tailscale access”: an approver decides.`;
  return {
    text: "Emergency access granted; the approvers were told",
    blocks: [section("break_glass", text)],
  };
}

/** The channel's (and requester's) notice that an approver acknowledged. */
export function breakGlassAcknowledgedMessage(
  f: BreakGlassFacts,
  by: string,
): SlackMessage {
  return {
    text: `Emergency access of <@${f.requesterId}> acknowledged by <@${by}>`,
    blocks: [section(
      "acknowledged",
      `:white_check_mark: <@${by}> acknowledged <@${f.requesterId}>'s emergency access to ${
        what(f)
      }.`,
    )],
  };
}

/**
 * The channel's notice, when an emergency grant has ended, that no
 * approver ever acknowledged it.
 */
export function unacknowledgedEndedMessage(f: BreakGlassFacts): SlackMessage {
  return {
    text: `Unacknowledged emergency access of <@${f.requesterId}> has ended`,
    blocks: [
      section(
        "unacknowledged",
        `:warning: *Unacknowledged emergency access*: <@${f.requesterId}>'s break-glass access to ${
          what(f)
        } ended ${
          slackDate(f.expiresAt)
        } and no approver acknowledged it. Please review what was done.`,
      ),
      reasonBlock(f),
    ],
  };
}
