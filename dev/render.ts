/**
 * Renders Slack views and messages as plain text for people reading a
 * terminal: mentions become names, dates their fallback, links "text (url)".
 *
 * @module
 */

// deno-lint-ignore no-explicit-any
type Json = any;

/** ANSI styling, or none when output is not a terminal (or NO_COLOR is set). */
export type Style = {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
};

/** Styles for a terminal when `color` is true, else identity functions. */
export function makeStyle(color: boolean): Style {
  const wrap = (open: number, close: number) => (s: string) =>
    color ? `\x1b[${open}m${s}\x1b[${close}m` : s;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    green: wrap(32, 39),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}

/** Turns Slack mrkdwn into readable plain text. */
export function mrkdwnToText(
  text: string,
  names: (userId: string) => string,
): string {
  return text
    .replace(/<@([UW][A-Z0-9]+)>/g, (_, id) => `@${names(id)}`)
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, "$1")
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, "$2 ($1)")
    .replace(/(^|[\s>(])\*([^*\n]+)\*/g, "$1$2")
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&")
    .replace(/:white_check_mark:/g, "✅").replace(/:x:/g, "❌")
    .replace(/:warning:/g, "⚠️");
}

function textOf(obj: Json, names: (id: string) => string): string {
  if (!obj) return "";
  return obj.type === "mrkdwn" ? mrkdwnToText(obj.text, names) : obj.text;
}

function optionsOf(el: Json): Json[] {
  return el.options ?? (el.option_groups ?? []).flatMap((g: Json) => g.options);
}

/** Lines describing blocks (of a view or a message), indented by `indent`. */
export function renderBlocks(
  blocks: Json[],
  names: (userId: string) => string,
  style: Style,
  indent = "  ",
): string[] {
  const lines: string[] = [];
  const push = (text: string, extra = "") =>
    text.split("\n").forEach((l) => lines.push(`${indent}${extra}${l}`));
  for (const b of blocks ?? []) {
    switch (b.type) {
      case "section":
        if (b.text) push(textOf(b.text, names));
        for (const f of b.fields ?? []) {
          push(textOf(f, names).replace("\n", ": "), "  ");
        }
        break;
      case "context":
        for (const e of b.elements ?? []) push(style.dim(textOf(e, names)));
        break;
      case "actions":
        push(
          (b.elements ?? []).filter((e: Json) =>
            e.type === "button" || e.type === "workflow_button"
          ).map((
            e: Json,
          ) =>
            e.style === "danger"
              ? style.red(`[ ${e.text.text} ]`)
              : e.style === "primary"
              ? style.green(`[ ${e.text.text} ]`)
              : `[ ${e.text.text} ]`
          ).join(" "),
        );
        break;
      case "input": {
        const el = b.element;
        push(style.bold(b.label.text));
        if (el.type === "external_select") {
          push(
            style.dim("(searchable list, answered by the app as you type)"),
            "  ",
          );
        } else if (el.type === "users_select") {
          push(style.dim("(any person in the workspace)"), "  ");
        } else if (el.type === "plain_text_input") {
          push(
            style.dim(`(text, up to ${el.max_length ?? 3000} characters)`),
            "  ",
          );
        } else {
          for (const o of optionsOf(el)) {
            const chosen = el.initial_option?.value === o.value ? "●" : "○";
            const desc = o.description
              ? style.dim(` — ${o.description.text}`)
              : "";
            push(`${chosen} ${textOf(o.text, names)}${desc}`, "  ");
          }
        }
        if (b.hint) push(style.dim(b.hint.text), "  ");
        break;
      }
      case "header":
        push(style.bold(b.text.text));
        break;
      case "divider":
        push(style.dim("────────"));
        break;
    }
  }
  return lines;
}

/** A modal as text: title, fields with their choices, buttons. */
export function renderView(
  view: Json,
  names: (userId: string) => string,
  style: Style,
): string[] {
  const buttons = [view.submit?.text, view.close?.text].filter(Boolean)
    .map((t: string) => `[ ${t} ]`).join(" ");
  return [
    `  ┌ ${style.bold(view.title.text)}`,
    ...renderBlocks(view.blocks, names, style, "  │ "),
    `  └ ${buttons}`,
  ];
}
