/**
 * The small modals of a decision: the reason for a denial (required) and a
 * note with an approval (optional).
 *
 * @module
 */
import { MAX_NOTE_LENGTH } from "./approval_messages.ts";
import type { ModalView } from "./block_kit.ts";

/** callback_id of the deny modal (routes its submission). */
export const DENY_MODAL_CALLBACK_ID = "deny_reason";
/** callback_id of the approve-with-note modal. */
export const NOTE_MODAL_CALLBACK_ID = "approve_note";
/** block_id and action_id of the text field in either modal. */
export const DECISION_TEXT_FIELD = "decision_text";

/** What each modal remembers: the request it decides. */
export type DecisionModalMetadata = { request_id: string };

function textModal(
  callbackId: string,
  title: string,
  submit: string,
  label: string,
  optional: boolean,
  requesterId: string,
  requestId: string,
): ModalView {
  return {
    type: "modal",
    callback_id: callbackId,
    title: { type: "plain_text", text: title },
    submit: { type: "plain_text", text: submit },
    close: { type: "plain_text", text: "Back" },
    private_metadata: JSON.stringify(
      { request_id: requestId } satisfies DecisionModalMetadata,
    ),
    notify_on_close: true,
    blocks: [
      {
        type: "input",
        block_id: DECISION_TEXT_FIELD,
        optional,
        label: { type: "plain_text", text: label },
        hint: {
          type: "plain_text",
          text: "The requester sees this, and it is kept with the request.",
        },
        element: {
          type: "plain_text_input",
          action_id: DECISION_TEXT_FIELD,
          multiline: true,
          max_length: MAX_NOTE_LENGTH,
        },
      },
      {
        type: "context",
        block_id: "who",
        elements: [{
          type: "mrkdwn",
          text: `<@${requesterId}> will be told.`,
        }],
      },
    ],
  };
}

/** The modal that asks an approver why they deny a request. */
export function denyModal(requesterId: string, requestId: string): ModalView {
  return textModal(
    DENY_MODAL_CALLBACK_ID,
    "Deny request",
    "Deny",
    "Why are you denying it?",
    false,
    requesterId,
    requestId,
  );
}

/** The modal that approves a request with a note for the requester. */
export function noteModal(requesterId: string, requestId: string): ModalView {
  return textModal(
    NOTE_MODAL_CALLBACK_ID,
    "Approve request",
    "Approve",
    "Note to the requester",
    true,
    requesterId,
    requestId,
  );
}

/**
 * The modal a decision button opens: a reason for "Deny…", a note for
 * "Approve with note…".
 *
 * @example
 * ```ts
 * const view = decisionModal("deny", "U_REQUESTER", "req-1");
 * ```
 */
export function decisionModal(
  decision: "approve_note" | "deny",
  requesterId: string,
  requestId: string,
): ModalView {
  return decision === "deny"
    ? denyModal(requesterId, requestId)
    : noteModal(requesterId, requestId);
}
