/**
 * Messages about a grant after the decision: the reminder before it ends,
 * the notice when it has ended or was revoked, and the approver's nudge.
 * Pure Block Kit builders.
 *
 * @module
 */
import type { Profile } from "../config_schema.ts";
import { adminConsoleUrl, deviceName, escapeMrkdwn } from "../device_text.ts";
import type { Device } from "../tailscale/mod.ts";
import { slackDate, type SlackMessage } from "./approval_messages.ts";

/** Name of the "My Tailscale access" workflow input that opens an extension. */
export const EXTEND_INPUT = "extend";

/** What a grant notice is about. */
export type GrantFacts = {
  requesterId: string;
  approverId: string;
  profile: Profile;
  device: Device;
  expiresAt: Date;
};

function what(g: GrantFacts): string {
  return `*${escapeMrkdwn(g.profile.description)}* on <${
    adminConsoleUrl(g.device)
  }|${escapeMrkdwn(deviceName(g.device))}>`;
}

function section(blockId: string, text: string) {
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
  | { kind: "expired"; stillSetUntil?: Date }
  | { kind: "revoked"; by: string; reason?: string; outside?: boolean };

/** The notice that a grant has ended, for the requester, approver and channel. */
export function grantEndedMessage(g: GrantFacts, end: GrantEnd): SlackMessage {
  let text: string;
  if (end.kind === "expired") {
    text = `:hourglass: <@${g.requesterId}>'s access to ${what(g)} ended ${
      slackDate(g.expiresAt)
    }.`;
    if (end.stillSetUntil) {
      text += ` :warning: Tailscale still has the attribute \`${
        escapeMrkdwn(g.profile.attribute)
      }\` on the device until ${
        slackDate(end.stillSetUntil)
      }: it was changed outside this app.`;
    }
  } else {
    text = `:no_entry: <@${g.requesterId}>'s access to ${
      what(g)
    } was revoked by <@${end.by}>${
      end.reason ? `: “${escapeMrkdwn(end.reason)}”` : "."
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
