/**
 * "Tailscale login overrides": the admin's modal listing which Slack user is
 * which Tailscale login (overrides set in Slack, and config.ts's
 * `tailscaleLogins`) with a form to set or clear an override, the
 * confirmation shown after a change, and the refusal a non-admin sees.
 * Pure Block Kit builders.
 *
 * @module
 */
import {
  type LoginOverride,
  MAX_LOGIN_LENGTH,
  type OverrideSaved,
} from "../people/mod.ts";
import { escapeMrkdwn, truncate } from "../devices/mod.ts";
import { slackDate } from "./approval_messages.ts";
import { type Block, type ModalView, mrkdwn, plain } from "./block_kit.ts";

/** callback_id of the loading view and the form (routes submit and close). */
export const LOGIN_OVERRIDES_CALLBACK_ID = "login_overrides";
/** callback_id of the views that end the function (nothing to submit). */
export const LOGIN_OVERRIDES_DONE_CALLBACK_ID = "login_overrides_done";

/** block_id and action_id of the form's fields. */
export const LOGIN_FIELD = {
  user: "override_user",
  login: "override_login",
} as const;

/** The form's labels, as the admin reads them. */
export const LOGIN_LABEL = {
  user: "Slack user",
  login: "Tailscale login",
} as const;

/** At most this many entries are listed per list (Slack caps view size). */
export const MAX_LISTED_LOGINS = 100;

/** What the list shows. */
export type LoginListInput = {
  /** The overrides set in Slack, as stored. */
  overrides: readonly LoginOverride[];
  /** config.ts's `tailscaleLogins` (Slack email → Tailscale login). */
  configLogins: Readonly<Record<string, string>>;
  /** A line at the top, e.g. what the last change did (plain text). */
  notice?: string;
  /** The overrides could not be read: why (shown instead of the list). */
  listError?: string;
};

const TITLE = plain("Tailscale logins");
/** Slack's limit on a section's text. */
const MAX_SECTION_TEXT = 3000;

/** Text as inline code: no mention, link or formatting can come through. */
function code(text: string): string {
  return `\`${escapeMrkdwn(text.replaceAll("`", "'"))}\``;
}

/** Lines as section blocks, each within Slack's text limit. */
function sections(prefix: string, lines: string[]): Block[] {
  const texts: string[] = [];
  let current = "";
  for (const whole of lines) {
    const line = truncate(whole, MAX_SECTION_TEXT);
    const next = current ? `${current}\n${line}` : line;
    if (next.length > MAX_SECTION_TEXT && current) {
      texts.push(current);
      current = line;
    } else current = next;
  }
  if (current) texts.push(current);
  return texts.map((text, i) => ({
    type: "section",
    block_id: `${prefix}_${i}`,
    text: mrkdwn(text),
  }));
}

/** Up to {@linkcode MAX_LISTED_LOGINS} lines, then how many were left out. */
function capped(lines: string[]): string[] {
  if (lines.length <= MAX_LISTED_LOGINS) return lines;
  return [
    ...lines.slice(0, MAX_LISTED_LOGINS),
    `_…and ${lines.length - MAX_LISTED_LOGINS} more._`,
  ];
}

function overrideLine(o: LoginOverride): string {
  const by = o.set_by ? ` · set by <@${o.set_by}>` : "";
  const at = o.set_at && !Number.isNaN(Date.parse(o.set_at))
    ? ` · ${slackDate(new Date(o.set_at))}`
    : "";
  return `• ${code(o.email)} → ${code(o.login)}${by}${at}`;
}

/** The two lists: overrides set in Slack, then config.ts's mappings. */
function listBlocks(input: LoginListInput): Block[] {
  const blocks: Block[] = [];
  if (input.notice) {
    blocks.push({
      type: "section",
      block_id: "notice",
      text: plain(input.notice),
    });
  }
  blocks.push({
    type: "header",
    block_id: "overrides_header",
    text: plain("Overrides set in Slack"),
  });
  if (input.listError) {
    blocks.push({
      type: "section",
      block_id: "overrides_error",
      text: mrkdwn(
        `:warning: The overrides could not be listed (${
          escapeMrkdwn(input.listError)
        }).`,
      ),
    });
  } else if (!input.overrides.length) {
    blocks.push({
      type: "context",
      block_id: "overrides_none",
      elements: [mrkdwn("_None._")],
    });
  } else {
    blocks.push(
      ...sections("overrides", capped(input.overrides.map(overrideLine))),
    );
  }
  const overridden = new Set(input.overrides.map((o) => o.email));
  const mapped = Object.entries(input.configLogins)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([email, login]) =>
      `• ${code(email)} → ${code(login)} · from config.ts${
        overridden.has(email.toLowerCase()) ? " _(overridden)_" : ""
      }`
    );
  if (mapped.length) {
    blocks.push(
      {
        type: "header",
        block_id: "config_header",
        text: plain("From config.ts"),
      },
      ...sections("config", capped(mapped)),
    );
  }
  blocks.push({
    type: "context",
    block_id: "precedence",
    elements: [mrkdwn(
      "An override set here comes first, then config.ts's `tailscaleLogins`, then the person's Slack email.",
    )],
  });
  return blocks;
}

/** Shown while the modal opens (before any lookup). */
export function loadingLoginsView(): ModalView {
  return {
    type: "modal",
    callback_id: LOGIN_OVERRIDES_CALLBACK_ID,
    title: TITLE,
    close: plain("Close"),
    notify_on_close: true,
    blocks: [{
      type: "context",
      block_id: "loading",
      elements: [mrkdwn("_Looking up Tailscale logins…_")],
    }],
  };
}

/** What a person who is not an admin sees; nothing can be changed. */
export function notAdminView(): ModalView {
  return {
    type: "modal",
    callback_id: LOGIN_OVERRIDES_DONE_CALLBACK_ID,
    title: TITLE,
    close: plain("Close"),
    blocks: [{
      type: "section",
      block_id: "not_admin",
      text: mrkdwn(
        ":lock: Only the admins listed in config.ts (`admins`) can change Tailscale logins.",
      ),
    }],
  };
}

/** The admin's form: the lists, then whom to set or clear, and to what. */
export function loginOverridesView(input: LoginListInput): ModalView {
  return {
    type: "modal",
    callback_id: LOGIN_OVERRIDES_CALLBACK_ID,
    title: TITLE,
    submit: plain("Save"),
    close: plain("Close"),
    notify_on_close: true,
    blocks: [
      ...listBlocks(input),
      { type: "divider", block_id: "form_divider" },
      {
        type: "input",
        block_id: LOGIN_FIELD.user,
        label: plain(LOGIN_LABEL.user),
        element: {
          type: "users_select",
          action_id: LOGIN_FIELD.user,
          placeholder: plain("Whose login?"),
        },
      },
      {
        type: "input",
        block_id: LOGIN_FIELD.login,
        optional: true,
        label: plain(LOGIN_LABEL.login),
        hint: plain(
          "Their login in Tailscale, e.g. name@company.com or name@github. Leave it empty to clear the override.",
        ),
        element: {
          type: "plain_text_input",
          action_id: LOGIN_FIELD.login,
          max_length: MAX_LOGIN_LENGTH,
          placeholder: plain("name@example.com"),
        },
      },
    ],
  };
}

/** After a change: what happened and the lists as they are now. */
export function loginOverridesDoneView(input: LoginListInput): ModalView {
  return {
    type: "modal",
    callback_id: LOGIN_OVERRIDES_DONE_CALLBACK_ID,
    title: TITLE,
    close: plain("Done"),
    blocks: listBlocks(input),
  };
}

/** The confirmation line after setting an override (plain text). */
export function setNotice(email: string, login: string): string {
  return `${email} now maps to ${login}.`;
}

/**
 * The confirmation line after clearing (plain text): what the person's
 * login is now (config.ts's mapping, else their Slack email).
 */
export function clearNotice(
  email: string,
  existed: boolean,
  configLogin: string | undefined,
): string {
  const now = configLogin
    ? `${configLogin} (from config.ts)`
    : `${email} (their Slack email)`;
  return existed
    ? `Override for ${email} cleared; ${email} now uses ${now}.`
    : `There was no override for ${email}; ${email} uses ${now}.`;
}

/**
 * The confirmation line for a saved change (plain text); `configLogins` is
 * config.ts's `tailscaleLogins`, what a cleared override falls back to.
 */
export function savedNotice(
  saved: OverrideSaved,
  configLogins: Readonly<Record<string, string>>,
): string {
  return saved.kind === "set"
    ? setNotice(saved.email, saved.login)
    : clearNotice(saved.email, saved.existed, configLogins[saved.email]);
}
