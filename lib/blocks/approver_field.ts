/**
 * The request form's approver field, by case: a list of configured
 * approvers with their local time, a user picker, "every approver" for
 * two-person approval, self-approval, or why nobody can approve.
 *
 * @module
 */
import type { ApproverField } from "../review/mod.ts";
import { localTime } from "../people/mod.ts";
import type { Profile } from "../config_schema.ts";
import { escapeMrkdwn, truncate } from "../devices/mod.ts";
import { FIELD } from "../slack/mod.ts";
import {
  type Block,
  type InputBlock,
  mrkdwn,
  type OptionObject,
  plain,
} from "./block_kit.ts";
import { profileBlockId } from "./form_ids.ts";

/** The approver field for a profile (block ID tied to the profile). */
export function approverBlock(
  profile: Profile,
  field: ApproverField,
  requesterId: string,
  now: Date,
): Block {
  const base = {
    type: "input" as const,
    block_id: profileBlockId(FIELD.approver, profile),
    label: plain("Who should approve?"),
    // An emergency grant needs no approver (see break_glass_form.ts).
    ...(profile.breakGlass ? { optional: true } : {}),
  };
  switch (field.kind) {
    case "loading":
      // A select with no options is invalid Block Kit; say what is happening.
      return {
        type: "context",
        block_id: "approver_loading",
        elements: [{ type: "mrkdwn", text: "_Looking up approvers…_" }],
      };
    case "self": {
      const option = {
        text: plain("No approval needed (you approve it yourself)"),
        value: requesterId,
      };
      return {
        ...base,
        element: {
          type: "radio_buttons",
          action_id: FIELD.approver,
          options: [option],
          initial_option: option,
        },
      };
    }
    case "choices":
      return { ...base, ...approverChoices(field, requesterId, now) };
    case "all":
      return { ...base, ...everyApprover(field) };
    case "picker":
      return {
        ...base,
        ...(field.restricted
          ? {
            hint: plain(
              `Only the approvers configured for ${profile.description} can approve.`,
            ),
          }
          : {}),
        element: {
          type: "users_select",
          action_id: FIELD.approver,
          placeholder: plain("Choose an approver…"),
        },
      };
    case "nobody":
      // Rendered as a warning section instead; see requestFormView.
      throw new Error("approverBlock called for a profile nobody can approve");
  }
}

/** The configured approvers as radio buttons, with who was not found. */
function approverChoices(
  field: Extract<ApproverField, { kind: "choices" }>,
  requesterId: string,
  now: Date,
): Pick<InputBlock, "hint" | "element"> {
  const options = field.approvers.map((p): OptionObject => ({
    text: mrkdwn(truncate(
      `*${escapeMrkdwn(p.name)}*${p.id === requesterId ? " (you)" : ""}`,
      75,
    )),
    description: plain(`Local time ${localTime(p, now)}`),
    value: p.id,
  }));
  return {
    ...(field.notFound.length
      ? {
        hint: plain(
          truncate(
            `Not found in Slack: ${field.notFound.join(", ")}`,
            2000,
          ),
        ),
      }
      : {}),
    element: {
      type: "radio_buttons",
      action_id: FIELD.approver,
      options,
      ...(options.length === 1 ? { initial_option: options[0] } : {}),
    },
  };
}

/**
 * Who will be asked when several approvals are needed: one option, chosen
 * already (its value names the first approver, the request's own), and
 * the names in the hint.
 */
function everyApprover(
  field: Extract<ApproverField, { kind: "all" }>,
): Pick<InputBlock, "hint" | "element"> {
  const option: OptionObject = {
    text: plain(
      `All ${field.approvers.length} approvers (${field.required} must approve)`,
    ),
    value: field.approvers[0].id,
  };
  const names = field.approvers.map((p) => p.name).join(", ");
  return {
    hint: plain(truncate(
      `Each is asked: ${names}.${
        field.notFound.length
          ? ` Not found in Slack: ${field.notFound.join(", ")}`
          : ""
      }`,
      2000,
    )),
    element: {
      type: "radio_buttons",
      action_id: FIELD.approver,
      options: [option],
      initial_option: option,
    },
  };
}
