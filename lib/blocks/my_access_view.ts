/**
 * "My Tailscale access": the modal listing a person's grants and pending
 * requests (everyone's, for admins), with its buttons. The forms it opens
 * are in `my_access_forms.ts`. Pure Block Kit builders.
 *
 * @module
 */
import type { TailscaleStatus } from "../grants/mod.ts";
import { escapeMrkdwn, truncate } from "../devices/mod.ts";
import { formatDuration } from "../durations.ts";
import { slackDate } from "./approval_messages.ts";
import {
  type Block,
  type Button,
  type ModalView,
  mrkdwn,
  plain,
} from "./block_kit.ts";
import { approvalLine, statusLine, waitingFor } from "./my_access_lines.ts";

/** callback_id of the list modal. */
export const MY_ACCESS_CALLBACK_ID = "my_access";

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

/** One active grant, as listed. */
export type GrantRow = {
  id: string;
  requesterId: string;
  approverId: string;
  /** Everyone who approved it (two-person approval), when known. */
  approverIds?: string[];
  profile: string;
  device: string;
  expiresAt: Date;
  status: TailscaleStatus;
  /** The person looking is the requester. */
  mine: boolean;
  /** Seconds it may still be extended by (0: not at all). */
  extensionRoom: number;
  /** An emergency (break-glass) grant: who acknowledged it, and when. */
  breakGlass?: { acknowledgedBy?: string; acknowledgedAt?: Date };
};

/** One pending request, as listed. */
export type PendingRow = {
  id: string;
  requesterId: string;
  approverId: string;
  /** Everyone asked, when more than the approver (two-person, escalated). */
  askedIds?: string[];
  /** Who has approved so far (two-person approval). */
  approvedIds?: string[];
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

function grantBlocks(g: GrantRow, admin: boolean, now: Date): Block[] {
  const who = g.mine ? "" : `<@${g.requesterId}> · `;
  // Before a later start, "left" would count time that is not granted.
  const from = g.status.kind === "starts" ? g.status.at : now;
  const left = formatDuration(
    Math.max(60, Math.round((g.expiresAt.getTime() - from.getTime()) / 1000)),
  );
  const text = `${who}*${escapeMrkdwn(g.profile)}* on \`${
    escapeMrkdwn(g.device)
  }\`\n${approvalLine(g)} · ends ${slackDate(g.expiresAt)} (${left} ${
    g.status.kind === "starts" ? "from the start" : "left"
  })`;
  const buttons: Button[] = [];
  if (g.mine && g.extensionRoom >= 60) {
    buttons.push({
      type: "button",
      action_id: actionIdOf(MY_ACCESS_ACTIONS.extend, g.id),
      text: plain("Extend…"),
      value: g.id,
    });
  }
  if (g.status.kind === "starts" && (g.mine || admin)) {
    buttons.push(endBeforeStartButton(g));
  } else if (g.mine || admin) {
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

/** Ends a grant that has not started: Cancel for its own requester. */
function endBeforeStartButton(g: GrantRow): Button {
  return {
    type: "button",
    action_id: actionIdOf(MY_ACCESS_ACTIONS.revoke, g.id),
    text: plain(g.mine ? "Cancel" : "Revoke…"),
    style: "danger",
    value: g.id,
    ...(g.mine
      ? {
        confirm: {
          title: plain("Cancel this access?"),
          text: plain(
            truncate(`${g.profile} on ${g.device} will not start.`, 300),
          ),
          confirm: plain("Cancel it"),
          deny: plain("Keep it"),
          style: "danger",
        },
      }
      : {}),
  };
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
        }\`\nWaiting for ${waitingFor(p)} since ${slackDate(p.createdAt)}`,
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

/**
 * One part of the list: its header, then its entries' blocks, or a line
 * saying there are none.
 */
function listPart(
  heading: { id: string; text: string },
  empty: { id: string; text: string },
  entries: Block[][],
): Block[] {
  return [
    { type: "header", block_id: heading.id, text: plain(heading.text) },
    ...(entries.length === 0
      ? [
        {
          type: "context",
          block_id: empty.id,
          elements: [mrkdwn(empty.text)],
        } satisfies Block,
      ]
      : entries.flat()),
  ];
}

/**
 * The list: active grants first, then pending requests.
 *
 * @example
 * ```ts
 * const view = myAccessView({ grants, pending, admin: false, now: new Date() });
 * await client.views.update({ view_id, view });
 * ```
 */
export function myAccessView(input: MyAccessInput): ModalView {
  const blocks: Block[] = [];
  if (input.notice) {
    blocks.push({
      type: "section",
      block_id: "notice",
      text: mrkdwn(truncate(input.notice, 3000)),
    });
  }
  const grants = input.grants.slice(0, MAX_LISTED);
  blocks.push(
    ...listPart(
      {
        id: "h_grants",
        text: input.admin ? "Active access (everyone)" : "Your active access",
      },
      { id: "no_grants", text: "No active access." },
      grants.map((g) => grantBlocks(g, input.admin, input.now)),
    ),
  );
  const pending = input.pending.slice(0, MAX_LISTED);
  blocks.push(
    ...listPart(
      {
        id: "h_pending",
        text: input.admin
          ? "Pending requests (everyone)"
          : "Your pending requests",
      },
      { id: "no_pending", text: "No pending requests." },
      pending.map(pendingBlocks),
    ),
  );
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
  return listModal(blocks);
}

/** The list modal around `blocks`. */
function listModal(blocks: Block[]): ModalView {
  return {
    type: "modal",
    callback_id: MY_ACCESS_CALLBACK_ID,
    title: plain("My Tailscale access"),
    close: plain("Done"),
    notify_on_close: true,
    blocks,
  };
}

/**
 * The list modal while the list is read: Slack's interactivity pointer
 * expires about 3 s after the click, so the modal opens first with this.
 */
export function myAccessLoadingView(): ModalView {
  return listModal([{
    type: "context",
    block_id: "loading",
    elements: [mrkdwn("_Looking up your access…_")],
  }]);
}
