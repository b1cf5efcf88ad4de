/**
 * The part of Block Kit the app builds: text objects, the interactive
 * elements it uses, its block types, modal views and messages. Typed so a
 * builder that misspells a field or nests an element where a block goes
 * fails `deno check` rather than Slack's `invalid_blocks`.
 *
 * @module
 */

/** Plain text (labels, titles, button texts). */
export type PlainText = { type: "plain_text"; text: string; emoji?: boolean };
/** Formatted text. */
export type Mrkdwn = { type: "mrkdwn"; text: string; verbatim?: boolean };
/** Any text object. */
export type TextObject = PlainText | Mrkdwn;

/** One choice of a select or radio group. */
export type OptionObject = {
  text: TextObject;
  value: string;
  description?: TextObject;
};
/** A labelled group of choices in a select. */
export type OptionGroup = { label: PlainText; options: OptionObject[] };

/** A confirmation dialog on a button. */
export type ConfirmObject = {
  title: PlainText;
  text: TextObject;
  confirm: PlainText;
  deny: PlainText;
  style?: "primary" | "danger";
};

type ElementBase = { action_id?: string };

/** A button that sends `block_actions` to the app. */
export type Button = ElementBase & {
  type: "button";
  text: PlainText;
  value?: string;
  url?: string;
  style?: "primary" | "danger";
  confirm?: ConfirmObject;
  accessibility_label?: string;
};

/** A button that runs a link trigger's workflow (messages only). */
export type WorkflowButton = ElementBase & {
  type: "workflow_button";
  text: PlainText;
  style?: "primary" | "danger";
  accessibility_label?: string;
  workflow: {
    trigger: {
      url: string;
      customizable_input_parameters?: { name: string; value: string }[];
    };
  };
};

/** A select whose options the view carries. */
export type StaticSelect = ElementBase & {
  type: "static_select";
  placeholder?: PlainText;
  options?: OptionObject[];
  option_groups?: OptionGroup[];
  initial_option?: OptionObject;
  confirm?: ConfirmObject;
};

/** A select whose options the app suggests (`block_suggestion`). */
export type ExternalSelect = ElementBase & {
  type: "external_select";
  placeholder?: PlainText;
  min_query_length?: number;
  initial_option?: OptionObject;
};

/** A Slack user picker. */
export type UsersSelect = ElementBase & {
  type: "users_select";
  placeholder?: PlainText;
  initial_user?: string;
};

/** Radio buttons. */
export type RadioButtons = ElementBase & {
  type: "radio_buttons";
  options: OptionObject[];
  initial_option?: OptionObject;
};

/** A text field. */
export type PlainTextInput = ElementBase & {
  type: "plain_text_input";
  placeholder?: PlainText;
  initial_value?: string;
  multiline?: boolean;
  min_length?: number;
  max_length?: number;
};

/** A date and time picker; its state is `selected_date_time` (Unix seconds). */
export type DatetimePicker = ElementBase & {
  type: "datetimepicker";
  /** Unix seconds (10 digits). */
  initial_date_time?: number;
};

/** An interactive element, in an `actions` or `input` block or as an accessory. */
export type BlockElement =
  | Button
  | WorkflowButton
  | StaticSelect
  | ExternalSelect
  | UsersSelect
  | RadioButtons
  | PlainTextInput
  | DatetimePicker;

type BlockBase = { block_id?: string };

/** Text, with fields or an accessory. */
export type SectionBlock = BlockBase & {
  type: "section";
  text?: TextObject;
  fields?: TextObject[];
  accessory?: BlockElement;
};
/** Small print. */
export type ContextBlock = BlockBase & {
  type: "context";
  elements: TextObject[];
};
/** A row of interactive elements. */
export type ActionsBlock = BlockBase & {
  type: "actions";
  elements: BlockElement[];
};
/** A labelled form field (modals). */
export type InputBlock = BlockBase & {
  type: "input";
  label: PlainText;
  element: BlockElement;
  optional?: boolean;
  hint?: PlainText;
  dispatch_action?: boolean;
};
/** A heading. */
export type HeaderBlock = BlockBase & { type: "header"; text: PlainText };
/** A horizontal rule. */
export type DividerBlock = BlockBase & { type: "divider" };

/** Any block the app builds. */
export type Block =
  | SectionBlock
  | ContextBlock
  | ActionsBlock
  | InputBlock
  | HeaderBlock
  | DividerBlock;

/** A modal view. */
export type ModalView = {
  type: "modal";
  callback_id?: string;
  title: PlainText;
  submit?: PlainText;
  close: PlainText;
  blocks: Block[];
  private_metadata?: string;
  notify_on_close?: boolean;
};

/** A message: the notification text and its blocks. */
export type SlackMessage = { text: string; blocks: Block[] };

/**
 * A plain-text object.
 *
 * @example
 * ```ts
 * plain("Approve"); // { type: "plain_text", text: "Approve" }
 * ```
 */
export function plain(text: string): PlainText {
  return { type: "plain_text", text };
}

/**
 * A mrkdwn text object.
 *
 * @example
 * ```ts
 * mrkdwn("*Device*"); // { type: "mrkdwn", text: "*Device*" }
 * ```
 */
export function mrkdwn(text: string): Mrkdwn {
  return { type: "mrkdwn", text };
}
