/**
 * The forms "My Tailscale access" opens over its list: the extension form
 * (a request of its own for more time) and the admin's revoke-with-reason
 * modal. Pure Block Kit builders.
 *
 * @module
 */
import type { ApproverField } from "../review/mod.ts";
import { type ExtendTarget, extensionChoices } from "../grants/mod.ts";
import { escapeMrkdwn } from "../devices/mod.ts";
import { formatDuration } from "../durations.ts";
import { FIELD } from "../slack/mod.ts";
import { MAX_NOTE_LENGTH, slackDate } from "./approval_messages.ts";
import { approverBlock } from "./approver_field.ts";
import { reasonBlock } from "./request_form.ts";
import { type Block, type ModalView, mrkdwn, plain } from "./block_kit.ts";

/** callback_id of the extension form. */
export const EXTEND_FORM_CALLBACK_ID = "extend_form";
/** callback_id of the admin's revoke modal. */
export const REVOKE_REASON_CALLBACK_ID = "revoke_reason";
/** block_id and action_id of the revoke reason. */
export const REVOKE_REASON_FIELD = "revoke_reason";

/**
 * The extension form: same profile and device, extra time, approver, reason.
 *
 * @example
 * ```ts
 * const found = extensionTarget(record, userId, config, now);
 * if (found.ok) {
 *   const approver = await approverField(client, found.target.profile, userId);
 *   await client.views.update({ view_id, view: extendFormView(found.target, approver, userId, now) });
 * }
 * ```
 */
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
