/**
 * A pure validator for modal views and message blocks, encoding the limits
 * Slack publishes in its Block Kit reference. The fake Slack server runs it on
 * every views.* and chat.* call so that a payload real Slack would reject
 * fails in tests too, with the same kind of JSON-pointer message Slack gives.
 *
 * The rules are tables: one schema per block type, element type and
 * composition object, built from a handful of small combinators (`str`,
 * `text`, `list`, `obj`, ...). To support a new element, add a row.
 *
 * Deliberate choices:
 * - Unknown properties are errors, as in real Slack ("invalid additional
 *   property"), because a misspelt field is otherwise silently ignored.
 * - action_id must be unique across the whole view/message. Real Slack only
 *   insists within one block; the stricter rule costs nothing and keeps
 *   interaction routing unambiguous.
 *
 * @module
 */

/** One problem found, located by a JSON pointer into the request arguments. */
export type Violation = { path: string; message: string };

type Surface = "modal" | "message";

/** Per-validation state: results plus the id registries for uniqueness. */
interface Context {
  readonly violations: Violation[];
  readonly blockIds: Set<string>;
  readonly actionIds: Set<string>;
}

/** A rule checks `value` found at JSON pointer `path`. */
type Rule = (value: unknown, path: string, ctx: Context) => void;

type Json = Record<string, unknown>;

const MAX_BLOCKS: Record<Surface, number> = { modal: 100, message: 50 };

// ---------------------------------------------------------------------------
// Combinators
// ---------------------------------------------------------------------------

function report(ctx: Context, path: string, message: string): void {
  ctx.violations.push({ path, message });
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Slack counts characters, not UTF-16 units, so count code points. */
function length(s: string): number {
  return [...s].length;
}

type StrOpts = { max?: number; min?: number; oneOf?: readonly string[] };

/** A string with optional length bounds or an enumeration. */
function str(opts: StrOpts = {}): Rule {
  return (value, path, ctx) => {
    if (typeof value !== "string") {
      return report(ctx, path, "must provide a string");
    }
    if (opts.oneOf && !opts.oneOf.includes(value)) {
      return report(
        ctx,
        path,
        `must be one of: ${opts.oneOf.join(", ")} (got "${value}")`,
      );
    }
    if (opts.min !== undefined && length(value) < opts.min) {
      report(ctx, path, `must be at least ${opts.min} characters`);
    }
    if (opts.max !== undefined && length(value) > opts.max) {
      // Slack's wording, e.g. "must be less than 25 characters" for max 24.
      report(ctx, path, `must be less than ${opts.max + 1} characters`);
    }
  };
}

const bool: Rule = (value, path, ctx) => {
  if (typeof value !== "boolean") report(ctx, path, "must provide a boolean");
};

/** An integer, optionally bounded. */
function int(opts: { min?: number; max?: number } = {}): Rule {
  return (value, path, ctx) => {
    if (typeof value !== "number" || !Number.isInteger(value)) {
      return report(ctx, path, "must provide an integer");
    }
    if (opts.min !== undefined && value < opts.min) {
      report(ctx, path, `must be at least ${opts.min}`);
    }
    if (opts.max !== undefined && value > opts.max) {
      report(ctx, path, `must be at most ${opts.max}`);
    }
  };
}

/** A string matching a pattern (dates, times). */
function pattern(re: RegExp, what: string): Rule {
  return (value, path, ctx) => {
    if (typeof value !== "string" || !re.test(value)) {
      report(ctx, path, `must be ${what}`);
    }
  };
}

/** Anything; for fields whose contents Slack checks but we do not model. */
const any: Rule = () => {};

type ListOpts = { min?: number; max?: number };

/** An array whose items all satisfy `item`. */
function list(item: Rule, opts: ListOpts = {}): Rule {
  return (value, path, ctx) => {
    if (!Array.isArray(value)) {
      return report(ctx, path, "must provide an array");
    }
    if (opts.min !== undefined && value.length < opts.min) {
      report(ctx, path, `must provide at least ${opts.min} items`);
    }
    if (opts.max !== undefined && value.length > opts.max) {
      report(ctx, path, `no more than ${opts.max} items allowed`);
    }
    value.forEach((v, i) => item(v, `${path}/${i}`, ctx));
  };
}

type ObjOpts = {
  required?: readonly string[];
  /** Cross-field checks, run after every field passed its own rule. */
  check?: (o: Json, path: string, ctx: Context) => void;
};

/**
 * An object with exactly the listed fields (a closed schema, like Slack's).
 * Missing and unknown fields are reported at the object's own path, as Slack
 * does ("invalid additional property: emoji [json-pointer:/blocks/0/text]").
 */
function obj(fields: Record<string, Rule>, opts: ObjOpts = {}): Rule {
  return (value, path, ctx) => {
    if (!isObject(value)) return report(ctx, path, "must provide an object");
    for (const key of opts.required ?? []) {
      if (value[key] === undefined) {
        report(ctx, path, `missing required field: ${key}`);
      }
    }
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const rule = fields[key];
      if (!rule) {
        report(ctx, path, `invalid additional property: ${key}`);
      } else {
        rule(v, `${path}/${key}`, ctx);
      }
    }
    opts.check?.(value, path, ctx);
  };
}

/** Dispatches on the `type` field to one of `variants`. */
function byType(variants: () => Record<string, Rule>, what: string): Rule {
  return (value, path, ctx) => {
    if (!isObject(value)) return report(ctx, path, "must provide an object");
    const type = value.type;
    const table = variants();
    if (typeof type !== "string" || !Object.hasOwn(table, type)) {
      return report(
        ctx,
        `${path}/type`,
        `${what} type must be one of: ${Object.keys(table).join(", ")}` +
          ` (got ${JSON.stringify(type)})`,
      );
    }
    table[type](value, path, ctx);
  };
}

/** An id string that must also be unique within the view/message. */
function uniqueId(kind: "block_id" | "action_id"): Rule {
  const shape = str({ min: 1, max: 255 });
  return (value, path, ctx) => {
    shape(value, path, ctx);
    if (typeof value !== "string") return;
    const seen = kind === "block_id" ? ctx.blockIds : ctx.actionIds;
    if (seen.has(value)) {
      report(ctx, path, `${kind} "${value}" is not unique`);
    }
    seen.add(value);
  };
}

const blockId = uniqueId("block_id");
const actionId = uniqueId("action_id");

// ---------------------------------------------------------------------------
// Composition objects
// ---------------------------------------------------------------------------

type TextKind = "plain_text" | "mrkdwn";

/** A text object of an allowed kind with 1..max characters. */
function text(max: number, kinds: readonly TextKind[] = ["plain_text"]): Rule {
  const body = str({ min: 1, max });
  return (value, path, ctx) => {
    if (!isObject(value)) return report(ctx, path, "must provide an object");
    const type = value.type;
    if (typeof type !== "string" || !kinds.includes(type as TextKind)) {
      return report(
        ctx,
        `${path}/type`,
        `must be ${kinds.join(" or ")} (got ${JSON.stringify(type)})`,
      );
    }
    const fields: Record<string, Rule> = type === "plain_text"
      ? { type: any, text: body, emoji: bool }
      : { type: any, text: body, verbatim: bool };
    obj(fields, { required: ["text"] })(value, path, ctx);
  };
}

const plain = (max: number) => text(max, ["plain_text"]);
const anyText = (max: number) => text(max, ["plain_text", "mrkdwn"]);

const url = str({ min: 1, max: 3000 });
const style = str({ oneOf: ["primary", "danger"] });

const confirm = obj({
  title: plain(100),
  text: anyText(300),
  confirm: plain(30),
  deny: plain(30),
  style,
}, { required: ["title", "text", "confirm", "deny"] });

const dispatchActionConfig = obj({
  trigger_actions_on: list(
    str({ oneOf: ["on_enter_pressed", "on_character_entered"] }),
    { min: 1 },
  ),
});

const conversationFilter = obj({
  include: list(str({ oneOf: ["im", "mpim", "private", "public"] }), {
    min: 1,
  }),
  exclude_external_shared_channels: bool,
  exclude_bot_users: bool,
});

/**
 * An option. Only radio buttons and checkboxes may use mrkdwn, and only
 * overflow menus may carry a url.
 */
function option(opts: { mrkdwn?: boolean; url?: boolean } = {}): Rule {
  const textRule = opts.mrkdwn ? anyText(75) : plain(75);
  return obj({
    text: textRule,
    value: str({ min: 1, max: 150 }),
    description: textRule,
    ...(opts.url ? { url } : {}),
  }, { required: ["text", "value"] });
}

const selectOption = option();
const choiceOption = option({ mrkdwn: true });

const optionGroup = obj({
  label: plain(75),
  options: list(selectOption, { min: 1, max: 100 }),
}, { required: ["label", "options"] });

/** Identity of an option for "initial_option must be one of options". */
function optionKey(o: unknown): string {
  if (!isObject(o)) return JSON.stringify(o);
  const t = isObject(o.text) ? o.text : {};
  return JSON.stringify([o.value, t.type, t.text]);
}

/** All options offered by a select/radio/checkbox element. */
function offeredOptions(el: Json): unknown[] {
  if (Array.isArray(el.options)) return el.options;
  if (Array.isArray(el.option_groups)) {
    return el.option_groups.flatMap((g) =>
      isObject(g) && Array.isArray(g.options) ? g.options : []
    );
  }
  return [];
}

/**
 * Checks initial_option / initial_options against the offered options,
 * comparing value and text as Slack does.
 */
function initialOptionsOffered(el: Json, path: string, ctx: Context): void {
  const offered = new Set(offeredOptions(el).map(optionKey));
  if (
    el.initial_option !== undefined &&
    !offered.has(optionKey(el.initial_option))
  ) {
    report(
      ctx,
      `${path}/initial_option`,
      "initial_option must exactly match one of the provided options",
    );
  }
  if (Array.isArray(el.initial_options)) {
    el.initial_options.forEach((o, i) => {
      if (!offered.has(optionKey(o))) {
        report(
          ctx,
          `${path}/initial_options/${i}`,
          "initial_options must each exactly match one of the provided options",
        );
      }
    });
  }
}

/** Static selects take options or option_groups, never both or neither. */
function optionsXorGroups(el: Json, path: string, ctx: Context): void {
  const hasOptions = el.options !== undefined;
  const hasGroups = el.option_groups !== undefined;
  if (hasOptions === hasGroups) {
    report(
      ctx,
      path,
      hasOptions
        ? "must provide options or option_groups, not both"
        : "must provide options or option_groups",
    );
  }
  initialOptionsOffered(el, path, ctx);
}

function bothOrEither(a: string, b: string) {
  return (o: Json, path: string, ctx: Context) => {
    if (o[a] === undefined && o[b] === undefined) {
      report(ctx, path, `must provide ${a} or ${b}`);
    }
  };
}

// ---------------------------------------------------------------------------
// Block elements
// ---------------------------------------------------------------------------

/** Fields shared by every interactive element. */
const INTERACTIVE = { type: any, action_id: actionId };
/** Fields shared by inputs that can take focus and show a placeholder. */
const FOCUSABLE = { focus_on_load: bool, placeholder: plain(150) };

const multiSelectCommon = {
  ...INTERACTIVE,
  ...FOCUSABLE,
  confirm,
  max_selected_items: int({ min: 1 }),
};

const slackFile = obj({ url, id: str({ min: 1 }) });

/** Every element type, by `type`. */
const ELEMENTS: Record<string, Rule> = {
  button: obj({
    ...INTERACTIVE,
    text: plain(75),
    url,
    value: str({ max: 2000 }),
    style,
    confirm,
    accessibility_label: str({ min: 1, max: 75 }),
  }, { required: ["text"] }),
  checkboxes: obj({
    ...INTERACTIVE,
    options: list(choiceOption, { min: 1, max: 10 }),
    initial_options: list(choiceOption),
    confirm,
    focus_on_load: bool,
  }, { required: ["options"], check: initialOptionsOffered }),
  datepicker: obj({
    ...INTERACTIVE,
    ...FOCUSABLE,
    initial_date: pattern(/^\d{4}-\d{2}-\d{2}$/, "a date in YYYY-MM-DD form"),
    confirm,
  }),
  datetimepicker: obj({
    ...INTERACTIVE,
    // Unix seconds "in the format of 10 digits" (Slack's reference).
    initial_date_time: int({ min: 1_000_000_000, max: 9_999_999_999 }),
    confirm,
    focus_on_load: bool,
  }),
  email_text_input: obj({
    ...INTERACTIVE,
    ...FOCUSABLE,
    initial_value: str(),
    dispatch_action_config: dispatchActionConfig,
  }),
  external_select: obj({
    ...INTERACTIVE,
    ...FOCUSABLE,
    initial_option: selectOption,
    min_query_length: int({ min: 0 }),
    confirm,
  }),
  file_input: obj({
    ...INTERACTIVE,
    filetypes: list(str({ min: 1 })),
    max_files: int({ min: 1, max: 10 }),
  }),
  image: obj({
    type: any,
    alt_text: str({ min: 1, max: 2000 }),
    image_url: url,
    slack_file: slackFile,
  }, {
    required: ["alt_text"],
    check: bothOrEither("image_url", "slack_file"),
  }),
  multi_static_select: obj({
    ...multiSelectCommon,
    options: list(selectOption, { min: 1, max: 100 }),
    option_groups: list(optionGroup, { min: 1, max: 100 }),
    initial_options: list(selectOption),
  }, { check: optionsXorGroups }),
  multi_external_select: obj({
    ...multiSelectCommon,
    min_query_length: int({ min: 0 }),
    initial_options: list(selectOption),
  }),
  multi_users_select: obj({
    ...multiSelectCommon,
    initial_users: list(str({ min: 1 })),
  }),
  multi_conversations_select: obj({
    ...multiSelectCommon,
    initial_conversations: list(str({ min: 1 })),
    default_to_current_conversation: bool,
    filter: conversationFilter,
  }),
  multi_channels_select: obj({
    ...multiSelectCommon,
    initial_channels: list(str({ min: 1 })),
  }),
  number_input: obj({
    ...INTERACTIVE,
    ...FOCUSABLE,
    is_decimal_allowed: bool,
    initial_value: str(),
    min_value: str(),
    max_value: str(),
    dispatch_action_config: dispatchActionConfig,
  }, { required: ["is_decimal_allowed"] }),
  overflow: obj({
    ...INTERACTIVE,
    options: list(option({ url: true }), { min: 1, max: 5 }),
    confirm,
  }, { required: ["options"] }),
  plain_text_input: obj({
    ...INTERACTIVE,
    ...FOCUSABLE,
    initial_value: str(),
    multiline: bool,
    min_length: int({ min: 0, max: 3000 }),
    max_length: int({ min: 1, max: 3000 }),
    dispatch_action_config: dispatchActionConfig,
  }),
  radio_buttons: obj({
    ...INTERACTIVE,
    options: list(choiceOption, { min: 1, max: 10 }),
    initial_option: choiceOption,
    confirm,
    focus_on_load: bool,
  }, { required: ["options"], check: initialOptionsOffered }),
  rich_text_input: obj({
    ...INTERACTIVE,
    ...FOCUSABLE,
    initial_value: any,
    dispatch_action_config: dispatchActionConfig,
  }),
  static_select: obj({
    ...INTERACTIVE,
    ...FOCUSABLE,
    options: list(selectOption, { min: 1, max: 100 }),
    option_groups: list(optionGroup, { min: 1, max: 100 }),
    initial_option: selectOption,
    confirm,
  }, { check: optionsXorGroups }),
  users_select: obj({
    ...INTERACTIVE,
    ...FOCUSABLE,
    initial_user: str({ min: 1 }),
    confirm,
  }),
  conversations_select: obj({
    ...INTERACTIVE,
    ...FOCUSABLE,
    initial_conversation: str({ min: 1 }),
    default_to_current_conversation: bool,
    response_url_enabled: bool,
    filter: conversationFilter,
    confirm,
  }),
  channels_select: obj({
    ...INTERACTIVE,
    ...FOCUSABLE,
    initial_channel: str({ min: 1 }),
    response_url_enabled: bool,
    confirm,
  }),
  timepicker: obj({
    ...INTERACTIVE,
    ...FOCUSABLE,
    initial_time: pattern(/^\d{2}:\d{2}$/, "a time in HH:mm form"),
    timezone: str({ min: 1 }),
    confirm,
  }),
  url_text_input: obj({
    ...INTERACTIVE,
    ...FOCUSABLE,
    initial_value: str(),
    dispatch_action_config: dispatchActionConfig,
  }),
  workflow_button: obj({
    ...INTERACTIVE,
    text: plain(75),
    workflow: obj({
      trigger: obj({
        url,
        customizable_input_parameters: list(obj({
          name: str({ min: 1 }),
          value: str(),
        }, { required: ["name", "value"] })),
      }, { required: ["url"] }),
    }, { required: ["trigger"] }),
    style,
    accessibility_label: str({ min: 1, max: 75 }),
  }, { required: ["text", "workflow"] }),
};

/** Restricts ELEMENTS to the types a given place accepts. */
function elementOf(types: readonly string[], where: string): Rule {
  return byType(
    () => Object.fromEntries(types.map((t) => [t, ELEMENTS[t]])),
    `${where} element`,
  );
}

const SELECTS = [
  "static_select",
  "external_select",
  "users_select",
  "conversations_select",
  "channels_select",
];
const MULTI_SELECTS = SELECTS.map((t) => `multi_${t}`);

const ACTIONS_ELEMENTS = [
  "button",
  "checkboxes",
  "datepicker",
  "datetimepicker",
  "overflow",
  "radio_buttons",
  "rich_text_input",
  "timepicker",
  "workflow_button",
  ...SELECTS,
  ...MULTI_SELECTS,
];

const SECTION_ACCESSORIES = [
  "button",
  "checkboxes",
  "datepicker",
  "image",
  "overflow",
  "radio_buttons",
  "timepicker",
  "workflow_button",
  ...SELECTS,
  ...MULTI_SELECTS,
];

const INPUT_ELEMENTS = [
  "checkboxes",
  "datepicker",
  "datetimepicker",
  "email_text_input",
  "file_input",
  "number_input",
  "plain_text_input",
  "radio_buttons",
  "rich_text_input",
  "timepicker",
  "url_text_input",
  ...SELECTS,
  ...MULTI_SELECTS,
];

// ---------------------------------------------------------------------------
// Blocks
// ---------------------------------------------------------------------------

const contextElement = byType(() => ({
  image: ELEMENTS.image,
  plain_text: plain(3000),
  mrkdwn: anyText(3000),
}), "context element");

/** Every block type, by `type`. */
const BLOCKS: Record<string, Rule> = {
  actions: obj({
    type: any,
    block_id: blockId,
    elements: list(elementOf(ACTIONS_ELEMENTS, "actions"), {
      min: 1,
      max: 25,
    }),
  }, { required: ["elements"] }),
  context: obj({
    type: any,
    block_id: blockId,
    elements: list(contextElement, { min: 1, max: 10 }),
  }, { required: ["elements"] }),
  divider: obj({ type: any, block_id: blockId }),
  file: obj({
    type: any,
    block_id: blockId,
    external_id: str({ min: 1 }),
    source: str({ oneOf: ["remote"] }),
  }, { required: ["external_id", "source"] }),
  header: obj({ type: any, block_id: blockId, text: plain(150) }, {
    required: ["text"],
  }),
  image: obj({
    type: any,
    block_id: blockId,
    alt_text: str({ min: 1, max: 2000 }),
    image_url: url,
    slack_file: slackFile,
    title: plain(2000),
  }, {
    required: ["alt_text"],
    check: bothOrEither("image_url", "slack_file"),
  }),
  input: obj({
    type: any,
    block_id: blockId,
    label: plain(2000),
    element: elementOf(INPUT_ELEMENTS, "input"),
    dispatch_action: bool,
    hint: plain(2000),
    optional: bool,
  }, { required: ["label", "element"] }),
  markdown: obj({
    type: any,
    block_id: blockId,
    text: str({ min: 1, max: 12000 }),
  }, { required: ["text"] }),
  // Rich text has a deep grammar of its own; only its shell is checked.
  rich_text: obj({ type: any, block_id: blockId, elements: list(any) }, {
    required: ["elements"],
  }),
  section: obj({
    type: any,
    block_id: blockId,
    text: anyText(3000),
    fields: list(anyText(2000), { min: 1, max: 10 }),
    accessory: elementOf(SECTION_ACCESSORIES, "section accessory"),
    expand: bool,
  }, { check: bothOrEither("text", "fields") }),
  video: obj({
    type: any,
    block_id: blockId,
    alt_text: str({ min: 1 }),
    author_name: str({ max: 49 }),
    description: plain(200),
    provider_icon_url: url,
    provider_name: str({ max: 49 }),
    title: plain(199),
    title_url: url,
    thumbnail_url: url,
    video_url: url,
  }, { required: ["alt_text", "title", "thumbnail_url", "video_url"] }),
};

const block = byType(() => BLOCKS, "block");

// ---------------------------------------------------------------------------
// Surfaces
// ---------------------------------------------------------------------------

function blocksOf(surface: Surface): Rule {
  return list(block, { max: MAX_BLOCKS[surface] });
}

/** Modal submit is mandatory as soon as there is anything to submit. */
function submitWhenInputs(view: Json, path: string, ctx: Context): void {
  const hasInput = Array.isArray(view.blocks) &&
    view.blocks.some((b) => isObject(b) && b.type === "input");
  if (hasInput && view.submit === undefined) {
    report(
      ctx,
      `${path}/submit`,
      "submit is required when the view contains an input block",
    );
  }
}

const modal = obj({
  type: str({ oneOf: ["modal"] }),
  title: plain(24),
  blocks: blocksOf("modal"),
  close: plain(24),
  submit: plain(24),
  private_metadata: str({ max: 3000 }),
  callback_id: str({ max: 255 }),
  clear_on_close: bool,
  notify_on_close: bool,
  external_id: str({ max: 255 }),
  submit_disabled: bool,
}, { required: ["type", "title", "blocks"], check: submitWhenInputs });

function newContext(): Context {
  return { violations: [], blockIds: new Set(), actionIds: new Set() };
}

/**
 * Validates a modal view as passed to views.open/update/push. Paths start
 * with `/view`, matching the argument name, as Slack's do.
 */
export function validateView(view: unknown): Violation[] {
  const ctx = newContext();
  modal(view, "/view", ctx);
  return ctx.violations;
}

/**
 * Validates the `blocks` argument of chat.postMessage/update/postEphemeral.
 * Paths start with `/blocks`.
 */
export function validateMessageBlocks(blocks: unknown): Violation[] {
  const ctx = newContext();
  blocksOf("message")(blocks, "/blocks", ctx);
  return ctx.violations;
}

/** Formats a violation the way Slack lists it in response_metadata.messages. */
export function formatViolation(v: Violation): string {
  return `[ERROR] ${v.message} [json-pointer:${v.path}]`;
}
