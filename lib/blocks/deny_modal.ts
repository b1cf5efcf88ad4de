/**
 * The small modal in which an approver says why they deny a request.
 *
 * @module
 */
import { MAX_NOTE_LENGTH } from "./approval_messages.ts";
import type { ModalView } from "./request_form.ts";

/** callback_id of the deny modal (routes its submission). */
export const DENY_MODAL_CALLBACK_ID = "deny_reason";
/** block_id and action_id of the reason field. */
export const DENY_REASON_FIELD = "deny_reason";

/** What the modal remembers: which prompt it answers. */
export type DenyModalMetadata = { channel: string; ts: string };

/** The modal, with the note already typed in the prompt as a start. */
export function denyModal(
  requesterId: string,
  prompt: DenyModalMetadata,
  prefill?: string,
): ModalView {
  return {
    type: "modal",
    callback_id: DENY_MODAL_CALLBACK_ID,
    title: { type: "plain_text", text: "Deny request" },
    submit: { type: "plain_text", text: "Deny" },
    close: { type: "plain_text", text: "Back" },
    private_metadata: JSON.stringify(prompt),
    blocks: [
      {
        type: "input",
        block_id: DENY_REASON_FIELD,
        label: { type: "plain_text", text: "Why are you denying it?" },
        hint: {
          type: "plain_text",
          text: "The requester sees this, and it is kept with the request.",
        },
        element: {
          type: "plain_text_input",
          action_id: DENY_REASON_FIELD,
          multiline: true,
          max_length: MAX_NOTE_LENGTH,
          ...(prefill ? { initial_value: prefill } : {}),
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
