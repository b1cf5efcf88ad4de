/**
 * The request modal, as pure Block Kit builders.
 *
 * @module
 */
import type { ApproverField } from "../review/mod.ts";
import type { Profile } from "../config_schema.ts";
import { escapeMrkdwn } from "../devices/mod.ts";
import {
  defaultDuration,
  durationChoices,
  formatDuration,
} from "../durations.ts";
import { FIELD } from "../slack/mod.ts";
import { type Block, type ModalView, plain } from "./block_kit.ts";
import { approverBlock } from "./approver_field.ts";
import { profileBlockId } from "./form_ids.ts";
import { breakGlassBlocks } from "./break_glass_form.ts";

/** callback_id of the request modal (routes its submission). */
export const REQUEST_FORM_CALLBACK_ID = "request_access_form";
/** Longest reason accepted; keeps the Tailscale comment within 200 characters. */
export const MAX_REASON_LENGTH = 120;

/** Everything the form shows. */
export type RequestFormInput = {
  profiles: readonly Profile[];
  /** The chosen profile, if any. */
  profile?: Profile;
  approver: ApproverField;
  requesterId: string;
  /** Kept in the view so each picker keystroke need not look it up. */
  requesterEmail?: string;
  now: Date;
  /** Why the requester may request nothing (with `profiles` empty). */
  refusal?: string;
};

/** What the form keeps in its private_metadata. */
export type FormMetadata = { requester_email?: string };

/** The request modal for the given state. */
export function requestFormView(input: RequestFormInput): ModalView {
  const { profile } = input;
  // A select with no options is invalid Block Kit: say why there are none.
  const some = input.profiles.length > 0;
  const blocks: Block[] = [
    some
      ? profileBlock(input.profiles, profile)
      : noProfilesBlock(input.refusal),
  ];
  if (!some) {
    // Nothing to choose, so nothing more to fill in (and nothing to send).
  } else if (profile && input.approver.kind === "nobody") {
    blocks.push({
      type: "section",
      block_id: "nobody_can_approve",
      text: {
        type: "mrkdwn",
        text: `:warning: ${escapeMrkdwn(input.approver.reason)}`,
      },
    });
  } else if (profile) {
    blocks.push(
      profile.group ? groupBlock(profile.group) : deviceBlock(),
      durationBlock(profile),
      startBlock(),
      ...breakGlassBlocks(profile),
      approverBlock(profile, input.approver, input.requesterId, input.now),
      reasonBlock(),
    );
  } else {
    blocks.push({
      type: "context",
      block_id: "choose_profile_first",
      elements: [{
        type: "mrkdwn",
        text: "Choose what you want to access to see the rest of the form.",
      }],
    });
  }
  return {
    type: "modal",
    callback_id: REQUEST_FORM_CALLBACK_ID,
    title: plain("Request access"),
    ...(some ? { submit: plain("Send request") } : {}),
    close: plain("Cancel"),
    // The workflow waits on this form; closing it must end the step.
    notify_on_close: true,
    blocks,
    ...(input.requesterEmail
      ? {
        private_metadata: JSON.stringify(
          { requester_email: input.requesterEmail } satisfies FormMetadata,
        ),
      }
      : {}),
  };
}

function profileBlock(profiles: readonly Profile[], chosen?: Profile): Block {
  const options = profiles.map((p) => ({
    text: plain(p.description),
    value: p.key,
  }));
  return {
    type: "input",
    block_id: FIELD.profile,
    dispatch_action: true,
    label: plain("What do you need access to?"),
    element: {
      type: "static_select",
      action_id: FIELD.profile,
      placeholder: plain("Choose access…"),
      options,
      ...(chosen
        ? { initial_option: options.find((o) => o.value === chosen.key) }
        : {}),
    },
  };
}

/** In place of the profile list: none yet (being looked up), or why none. */
function noProfilesBlock(refusal?: string): Block {
  return refusal
    ? {
      type: "section",
      block_id: "nothing_to_request",
      text: { type: "mrkdwn", text: `:warning: ${escapeMrkdwn(refusal)}` },
    }
    : {
      type: "context",
      block_id: "profiles_loading",
      elements: [{
        type: "mrkdwn",
        text: "_Looking up what you may request…_",
      }],
    };
}

/** A group profile has no device: say what it does instead. */
function groupBlock(group: string): Block {
  return {
    type: "context",
    block_id: "group_access",
    elements: [{
      type: "mrkdwn",
      text:
        `Adds your Tailscale login to \`${group}\` in the tailnet policy file for the time you choose, on every device you use. The approver sees which login.`,
    }],
  };
}

function deviceBlock(): Block {
  return {
    type: "input",
    block_id: FIELD.device,
    label: plain("From which device?"),
    hint: plain("Your own devices come first. Type a name, IP or node ID."),
    element: {
      type: "external_select",
      action_id: FIELD.device,
      placeholder: plain("Choose a device…"),
      min_query_length: 0,
    },
  };
}

function durationBlock(profile: Profile): Block {
  const options = durationChoices(profile.maxSeconds).map((s) => ({
    text: plain(formatDuration(s)),
    value: String(s),
  }));
  const initial = String(defaultDuration(profile.maxSeconds));
  return {
    type: "input",
    block_id: profileBlockId(FIELD.duration, profile),
    label: plain("For how long?"),
    element: {
      type: "static_select",
      action_id: FIELD.duration,
      options,
      initial_option: options.find((o) => o.value === initial) ?? options[0],
    },
  };
}

/**
 * When the access starts: optional, empty for "as soon as it is approved";
 * the duration counts from it (the 7-day limit is checked on submission).
 */
export function startBlock(): Block {
  return {
    type: "input",
    block_id: FIELD.start,
    optional: true,
    label: plain("Start later? (optional)"),
    hint: plain(
      "Leave empty to start as soon as it is approved. A later start must be within 7 days; the time shown is yours.",
    ),
    element: { type: "datetimepicker", action_id: FIELD.start },
  };
}

/** The reason field. */
export function reasonBlock(): Block {
  return {
    type: "input",
    block_id: FIELD.reason,
    label: plain("Why do you need it?"),
    element: {
      type: "plain_text_input",
      action_id: FIELD.reason,
      max_length: MAX_REASON_LENGTH,
      placeholder: plain("e.g. INC-123: read the payment service logs"),
    },
  };
}

/**
 * The modal shown when the app has no Tailscale credentials: exactly which
 * variables to set, and how.
 */
export function credentialsMissingView(missing: readonly string[]): ModalView {
  const commands = missing.map((name) =>
    `slack env add ${name} <${
      name === "TAILSCALE_CLIENT_ID" ? "client-id" : "client-secret"
    }>`
  ).join("\n");
  return {
    type: "modal",
    title: plain("Request access"),
    close: plain("Close"),
    blocks: [{
      type: "section",
      block_id: "credentials_missing",
      text: {
        type: "mrkdwn",
        text:
          `:warning: This app is not connected to Tailscale yet: ${
            missing.map((n) => `\`${n}\``).join(" and ")
          } ${missing.length === 1 ? "is" : "are"} not set.\n` +
          "A tailnet admin can fix this from the app's folder with:\n" +
          "```" + commands + "```\n" +
          "(for `slack run`, put them in a `.env` file). The OAuth client needs the scopes `devices:core:read` and `devices:posture_attributes` (and `policy_file` and `users:read` for group profiles).",
      },
    }],
  };
}
