/**
 * "My Tailscale access": the modal listing a person's grants and pending
 * requests (everyone's, for admins), the extension form, and the admin's
 * revoke-with-reason modal. Pure Block Kit builders.
 *
 * @module
 */
import type { ApproverField } from "../review/mod.ts";
import type { Profile } from "../config_schema.ts";
import { escapeMrkdwn, truncate } from "../devices/mod.ts";
import { durationChoices, formatDuration } from "../durations.ts";
import { FIELD } from "../slack/mod.ts";
import { MAX_NOTE_LENGTH, slackDate } from "./approval_messages.ts";
import { approverBlock, reasonBlock } from "./request_form.ts";
import {
  type Block,
  type Button,
  type ModalView,
  mrkdwn,
  plain,
} from "./block_kit.ts";

/** callback_id of the list modal. */
export const MY_ACCESS_CALLBACK_ID = "my_access";
/** callback_id of the extension form. */
export const EXTEND_FORM_CALLBACK_ID = "extend_form";
/** callback_id of the admin's revoke modal. */
export const REVOKE_REASON_CALLBACK_ID = "revoke_reason";
/** block_id and action_id of the revoke reason. */
export const REVOKE_REASON_FIELD = "revoke_reason";

/** action_ids of the list's buttons; each button's value is a request ID. */
export const MY_ACCESS_ACTIONS = {
  revoke: "revoke_grant",
  extend: "extend_grant",
  cancel: "cancel_request",
} as const;
/** One of {@linkcode MY_ACCESS_ACTIONS}. */
export type MyAccessAction =
  typeof MY_ACCESS_ACTIONS[keyof typeof MY_ACCESS_ACTIONS];

/**
 * A button's action_id: its action and the request it is for, so that every
 * row's buttons stay distinct within the view.
 */
export function actionIdOf(action: MyAccessAction, requestId: string): string {
  return `${action}:${requestId}`.slice(0, 255);
}

/** Matches the action_id of every list button. */
export const MY_ACCESS_ACTION_PATTERN = new RegExp(
  `^(${Object.values(MY_ACCESS_ACTIONS).join("|")}):`,
);

/** The action an action_id stands for, or null. */
export function actionOf(actionId: string): MyAccessAction | null {
  return (MY_ACCESS_ACTION_PATTERN.exec(actionId)?.[1] as MyAccessAction) ??
    null;
}

/** At most this many entries are listed (Slack allows 100 blocks a view). */
export const MAX_LISTED = 30;

/** What Tailscale says about a grant the app recorded. */
export type TailscaleStatus =
  | { kind: "as_granted" }
  | { kind: "removed" }
  /** A group grant whose login is no longer in the group. */
  | { kind: "not_in_group" }
  /** The device is no longer in the tailnet. */
  | { kind: "device_gone" }
  | { kind: "changed"; until?: Date }
  | { kind: "unknown"; error: string };

/** One active grant, as listed. */
export type GrantRow = {
  id: string;
  requesterId: string;
  approverId: string;
  profile: string;
  device: string;
  expiresAt: Date;
  status: TailscaleStatus;
  /** The person looking is the requester. */
  mine: boolean;
  /** Seconds it may still be extended by (0: not at all). */
  extensionRoom: number;
};

/** One pending request, as listed. */
export type PendingRow = {
  id: string;
  requesterId: string;
  approverId: string;
  profile: string;
  device: string;
  createdAt: Date;
  mine: boolean;
};

/** Everything the list shows. */
export type MyAccessInput = {
  grants: GrantRow[];
  pending: PendingRow[];
  /** The viewer is an admin: everyone's entries, revoke with a reason. */
  admin: boolean;
  /** A line at the top, e.g. what the last action did. */
  notice?: string;
  now: Date;
};

function statusLine(status: TailscaleStatus): string | null {
  switch (status.kind) {
    case "as_granted":
      return null;
    case "removed":
      return ":warning: *Removed outside this app*: Tailscale no longer has this attribute on the device.";
    case "not_in_group":
      return ":warning: *Removed outside this app*: the login is no longer in the group in the policy file.";
    case "device_gone":
      return ":warning: *Device removed from the tailnet*: nothing has this access any more.";
    case "changed":
      return `:warning: *Changed outside this app*: Tailscale ${
        status.until
          ? `keeps it until ${slackDate(status.until)}`
          : "keeps it with no expiry"
      }.`;
    case "unknown":
      return `:grey_question: Could not check with Tailscale: ${
        escapeMrkdwn(status.error)
      }`;
  }
}

function grantBlocks(g: GrantRow, admin: boolean, now: Date): Block[] {
  const who = g.mine ? "" : `<@${g.requesterId}> · `;
  const left = formatDuration(
    Math.max(60, Math.round((g.expiresAt.getTime() - now.getTime()) / 1000)),
  );
  const text = `${who}*${escapeMrkdwn(g.profile)}* on \`${
    escapeMrkdwn(g.device)
  }\`\nApproved by <@${g.approverId}> · ends ${
    slackDate(g.expiresAt)
  } (${left} left)`;
  const buttons: Button[] = [];
  if (g.mine && g.extensionRoom >= 60) {
    buttons.push({
      type: "button",
      action_id: actionIdOf(MY_ACCESS_ACTIONS.extend, g.id),
      text: plain("Extend…"),
      value: g.id,
    });
  }
  if (g.mine || admin) {
    buttons.push({
      type: "button",
      action_id: actionIdOf(MY_ACCESS_ACTIONS.revoke, g.id),
      text: plain(g.mine ? "Revoke" : "Revoke…"),
      style: "danger",
      value: g.id,
      ...(g.mine
        ? {
          confirm: {
            title: plain("Revoke access?"),
            text: plain(
              truncate(
                `${g.profile} on ${g.device} ends now. This cannot be undone.`,
                300,
              ),
            ),
            confirm: plain("Revoke"),
            deny: plain("Keep it"),
            style: "danger",
          },
        }
        : {}),
    });
  }
  const status = statusLine(g.status);
  return [
    { type: "section", block_id: `grant:${g.id}`, text: mrkdwn(text) },
    ...(status
      ? [
        {
          type: "context",
          block_id: `status:${g.id}`,
          elements: [mrkdwn(status)],
        } satisfies Block,
      ]
      : []),
    ...(buttons.length
      ? [
        {
          type: "actions",
          block_id: `act:${g.id}`,
          elements: buttons,
        } satisfies Block,
      ]
      : []),
  ];
}

function pendingBlocks(p: PendingRow): Block[] {
  const who = p.mine ? "" : `<@${p.requesterId}> · `;
  return [
    {
      type: "section",
      block_id: `pending:${p.id}`,
      text: mrkdwn(
        `${who}*${escapeMrkdwn(p.profile)}* on \`${
          escapeMrkdwn(p.device)
        }\`\nWaiting for <@${p.approverId}> since ${slackDate(p.createdAt)}`,
      ),
      ...(p.mine
        ? {
          accessory: {
            type: "button",
            action_id: actionIdOf(MY_ACCESS_ACTIONS.cancel, p.id),
            text: plain("Cancel request"),
            value: p.id,
            confirm: {
              title: plain("Cancel this request?"),
              text: plain("The approver will see that you cancelled it."),
              confirm: plain("Cancel request"),
              deny: plain("Keep waiting"),
            },
          },
        }
        : {}),
    },
  ];
}

/** The list: active grants first, then pending requests. */
export function myAccessView(input: MyAccessInput): ModalView {
  const blocks: Block[] = [];
  if (input.notice) {
    blocks.push({
      type: "section",
      block_id: "notice",
      text: mrkdwn(truncate(input.notice, 3000)),
    });
  }
  const heading = (text: string, id: string): Block => ({
    type: "header",
    block_id: id,
    text: plain(text),
  });
  const grants = input.grants.slice(0, MAX_LISTED);
  blocks.push(
    heading(
      input.admin ? "Active access (everyone)" : "Your active access",
      "h_grants",
    ),
  );
  if (grants.length === 0) {
    blocks.push({
      type: "context",
      block_id: "no_grants",
      elements: [mrkdwn("No active access.")],
    });
  }
  for (const g of grants) {
    blocks.push(...grantBlocks(g, input.admin, input.now));
  }
  const pending = input.pending.slice(0, MAX_LISTED);
  blocks.push(
    heading(
      input.admin ? "Pending requests (everyone)" : "Your pending requests",
      "h_pending",
    ),
  );
  if (pending.length === 0) {
    blocks.push({
      type: "context",
      block_id: "no_pending",
      elements: [mrkdwn("No pending requests.")],
    });
  }
  for (const p of pending) blocks.push(...pendingBlocks(p));
  const hidden = input.grants.length - grants.length +
    input.pending.length - pending.length;
  if (hidden > 0) {
    blocks.push({
      type: "context",
      block_id: "more",
      elements: [mrkdwn(
        `…and ${hidden} more. Export everything with \`slack datastore query '{"datastore": "requests"}'\`.`,
      )],
    });
  }
  return {
    type: "modal",
    callback_id: MY_ACCESS_CALLBACK_ID,
    title: plain("My Tailscale access"),
    close: plain("Done"),
    notify_on_close: true,
    blocks,
  };
}

/** The grant an extension form is for. */
export type ExtendTarget = {
  grantId: string;
  profile: Profile;
  device: string;
  expiresAt: Date;
  /** Seconds it may still be extended by. */
  room: number;
};

/** Durations offered for an extension: within one grant and the room left. */
export function extensionChoices(t: ExtendTarget): number[] {
  const max = Math.min(t.profile.maxSeconds, t.room);
  return max >= 60 ? durationChoices(max) : [];
}

/** The extension form: same profile and device, extra time, approver, reason. */
export function extendFormView(
  t: ExtendTarget,
  approver: ApproverField,
  requesterId: string,
  now: Date,
): ModalView {
  const options = extensionChoices(t).map((s) => ({
    text: plain(`${formatDuration(s)} more`),
    value: String(s),
  }));
  const blocks: Block[] = [{
    type: "section",
    block_id: "extend_what",
    text: mrkdwn(
      `Extend *${escapeMrkdwn(t.profile.description)}* on \`${
        escapeMrkdwn(t.device)
      }\`, which now ends ${slackDate(t.expiresAt)}.`,
    ),
  }];
  if (approver.kind === "nobody") {
    blocks.push({
      type: "section",
      block_id: "nobody_can_approve",
      text: mrkdwn(`:warning: ${escapeMrkdwn(approver.reason)}`),
    });
  } else {
    blocks.push(
      {
        type: "input",
        block_id: FIELD.duration,
        label: plain("For how much longer?"),
        element: {
          type: "static_select",
          action_id: FIELD.duration,
          options,
          initial_option: options[0],
        },
      },
      approverBlock(t.profile, approver, requesterId, now),
      reasonBlock(),
    );
  }
  return {
    type: "modal",
    callback_id: EXTEND_FORM_CALLBACK_ID,
    title: plain("Extend access"),
    ...(approver.kind === "nobody" ? {} : { submit: plain("Send request") }),
    close: plain("Cancel"),
    notify_on_close: true,
    private_metadata: JSON.stringify({ grant_id: t.grantId }),
    blocks,
  };
}

/** The admin's modal: why revoke someone else's access. */
export function revokeReasonView(
  grantId: string,
  requesterId: string,
  what: string,
): ModalView {
  return {
    type: "modal",
    callback_id: REVOKE_REASON_CALLBACK_ID,
    title: plain("Revoke access"),
    submit: plain("Revoke"),
    close: plain("Back"),
    private_metadata: JSON.stringify({ grant_id: grantId }),
    blocks: [
      {
        type: "section",
        block_id: "revoke_what",
        text: mrkdwn(
          `Revoke <@${requesterId}>'s access to ${
            escapeMrkdwn(what)
          } now. They, the approver and the notify channel are told why.`,
        ),
      },
      {
        type: "input",
        block_id: REVOKE_REASON_FIELD,
        label: plain("Reason"),
        element: {
          type: "plain_text_input",
          action_id: REVOKE_REASON_FIELD,
          max_length: MAX_NOTE_LENGTH,
        },
      },
    ],
  };
}
