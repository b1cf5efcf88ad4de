/**
 * Messages about a grant after the decision: the reminder before it ends,
 * the notice when it has ended or was revoked, and the approver's nudge.
 * Pure Block Kit builders.
 *
 * @module
 */
import type { Profile } from "../config_schema.ts";
import { escapeMrkdwn } from "../devices/mod.ts";
import { formatDuration } from "../durations.ts";
import type { Target } from "../grants/mod.ts";
import { onTarget, slackDate } from "./approval_messages.ts";
import type { SectionBlock, SlackMessage } from "./block_kit.ts";

/** Name of the "My Tailscale access" workflow input that opens an extension. */
export const EXTEND_INPUT = "extend";

/** What a grant notice is about. */
export type GrantFacts = {
  requesterId: string;
  approverId: string;
  profile: Profile;
  target: Target;
  expiresAt: Date;
};

function what(g: GrantFacts): string {
  return `*${escapeMrkdwn(g.profile.description)}* ${onTarget(g.target)}`;
}

function section(blockId: string, text: string): SectionBlock {
  return { type: "section", block_id: blockId, text: { type: "mrkdwn", text } };
}

/**
 * The reminder before a grant ends: with an Extend button (a workflow
 * button that opens "My Tailscale access" on this grant) when it can be
 * extended, or the reason it cannot.
 */
export function reminderMessage(
  g: GrantFacts,
  extend: { url: string; grantId: string } | { cannot: string },
): SlackMessage {
  const text = `:alarm_clock: Your access to ${what(g)} ends ${
    slackDate(g.expiresAt)
  }.`;
  return {
    text: `Your Tailscale access to ${g.profile.description} ends soon`,
    blocks: [
      section("reminder", text),
      "url" in extend
        ? {
          type: "actions",
          block_id: "extend",
          elements: [{
            type: "workflow_button",
            action_id: "extend_grant",
            text: { type: "plain_text", text: "Extend…" },
            style: "primary",
            workflow: {
              trigger: {
                url: extend.url,
                customizable_input_parameters: [{
                  name: EXTEND_INPUT,
                  value: extend.grantId,
                }],
              },
            },
          }],
        }
        : {
          type: "context",
          block_id: "extend",
          elements: [{ type: "mrkdwn", text: escapeMrkdwn(extend.cannot) }],
        },
    ],
  };
}

/** How a grant ended. */
export type GrantEnd =
  & (
    | { kind: "expired" }
    | { kind: "revoked"; by: string; reason?: string }
  )
  & {
    /** For a group grant: what became of the membership. */
    membership?: MembershipEnd;
    /** For an attribute grant: what became of the attribute. */
    attribute?: AttributeOutcome;
  };

/**
 * What became of a grant's attribute: see `AttributeEnd`; `unconfirmed`
 * when the app could not check or remove it (Tailscale removes it by
 * itself within minutes of its expiry).
 */
export type AttributeOutcome =
  | { kind: "removed" | "already_gone" | "device_gone" }
  | { kind: "changed"; until: Date | null }
  | { kind: "unconfirmed"; error: string };

/** The sentence a notice adds about the attribute, or "". */
export function attributeSentence(key: string, end: AttributeOutcome): string {
  const attribute = `\`${escapeMrkdwn(key)}\``;
  switch (end.kind) {
    case "removed":
    case "already_gone":
      return "";
    case "device_gone":
      return "The device is no longer in the tailnet, so nothing has this access.";
    case "changed":
      return `:warning: Tailscale still has the attribute ${attribute} on the device ${
        end.until ? `until ${slackDate(end.until)}` : "with no end"
      }: it was changed outside this app.`;
    case "unconfirmed":
      return `:warning: The app could not remove the attribute ${attribute} (${
        escapeMrkdwn(end.error)
      }); Tailscale removes it by itself within a few minutes of its expiry.`;
  }
}

/** What became of a group grant's membership when the grant ended. */
export type MembershipEnd =
  | "removed"
  | "already_gone"
  | "kept"
  | "handed_over";

/** What became of `login`'s membership in `group`, as one sentence. */
export function membershipSentence(
  login: string,
  group: string,
  end: MembershipEnd,
): string {
  const who = `\`${escapeMrkdwn(login)}\``;
  const where = `\`${group}\``;
  return {
    removed: `${who} was removed from ${where}.`,
    already_gone:
      `${who} was no longer in ${where} (removed outside this app).`,
    kept: `${who} stays in ${where}: they were a member before this grant.`,
    handed_over:
      `${who} stays in ${where} for their other grant, which runs longer.`,
  }[end];
}

/** The notice that a grant has ended, for the requester, approver and channel. */
export function grantEndedMessage(g: GrantFacts, end: GrantEnd): SlackMessage {
  let text: string;
  if (end.kind === "expired") {
    text = `:hourglass: <@${g.requesterId}>'s access to ${what(g)} ended ${
      slackDate(g.expiresAt)
    }.`;
  } else {
    text = `:no_entry: <@${g.requesterId}>'s access to ${
      what(g)
    } was revoked by <@${end.by}>${
      end.reason ? `: “${escapeMrkdwn(end.reason)}”` : "."
    }`;
  }
  const about = end.attribute &&
    attributeSentence(g.profile.key, end.attribute);
  if (about) text += ` ${about}`;
  if (end.membership && g.target.kind === "group") {
    text += ` ${
      membershipSentence(g.target.login, g.target.group, end.membership)
    }`;
  }
  return {
    text: end.kind === "expired"
      ? `Tailscale access to ${g.profile.description} ended`
      : `Tailscale access to ${g.profile.description} was revoked`,
    blocks: [section("ended", text)],
  };
}

/** The approver's nudge halfway to a pending request's timeout. */
export function nudgeMessage(
  requesterId: string,
  profile: Profile,
  expiresAt: Date,
): SlackMessage {
  return {
    text: `Reminder: a Tailscale access request is waiting for you`,
    blocks: [section(
      "nudge",
      `:bell: Reminder: <@${requesterId}> is still waiting for your decision on access to *${
        escapeMrkdwn(profile.description)
      }* (the request above). It expires ${slackDate(expiresAt)}.`,
    )],
  };
}

/**
 * What the notify channel is told when a request is escalated: nobody
 * decided in `afterSeconds`, and who can decide now.
 */
export function escalationMessage(
  requesterId: string,
  profile: Profile,
  afterSeconds: number,
  deciders: readonly string[],
): SlackMessage {
  const who = deciders.map((u) => `<@${u}>`);
  const any = who.length > 1
    ? `any of ${who.slice(0, -1).join(", ")} or ${who.at(-1)} can decide`
    : `${who.join("")} can decide`;
  return {
    text: `No decision after ${
      formatDuration(afterSeconds)
    } on a Tailscale access request`,
    blocks: [section(
      "escalation",
      `:rotating_light: No decision after ${
        formatDuration(afterSeconds)
      } on <@${requesterId}>'s request for access to *${
        escapeMrkdwn(profile.description)
      }*: ${any}.`,
    )],
  };
}
