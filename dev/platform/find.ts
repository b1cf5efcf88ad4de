/**
 * Finding what a person sees in the blocks the app rendered: a field by its
 * label, an option by its text, a button by its label, and a field's state
 * before anyone touched it.
 *
 * @module
 */
import type { Json } from "./types.ts";

/** The input block labelled `label` in a view (or a message), and its element. */
export function findInput(
  view: Json,
  label: string,
): { block: Json; element: Json } {
  const block = (view.blocks ?? []).find((b: Json) =>
    b.type === "input" && b.label?.text === label
  );
  if (!block) {
    const labels = (view.blocks ?? []).filter((b: Json) => b.type === "input")
      .map((b: Json) => b.label?.text);
    throw new Error(`no field "${label}" in the view (fields: ${labels})`);
  }
  return { block, element: block.element };
}

/** The option whose text is (or starts with) `text`. */
export function findOption(element: Json, text: string): Json {
  const options: Json[] = element.options ??
    (element.option_groups ?? []).flatMap((g: Json) => g.options);
  const option = options.find((o) =>
    o.text.text === text || o.text.text.startsWith(text)
  );
  if (!option) {
    throw new Error(
      `no option "${text}" (options: ${options.map((o) => o.text.text)})`,
    );
  }
  return option;
}

/** Whether the blocks have an element of `type` labelled `text`. */
export function hasElement(
  blocks: Json[],
  type: string,
  text: string,
): boolean {
  return blocks.some((b) =>
    elementsOf(b).some((el: Json) => el.type === type && el.text?.text === text)
  );
}

/** The first button labelled `text` in actions blocks or section accessories. */
export function findButtonIn(
  blocks: Json[],
  text: string,
  value?: string,
): { block: Json; element: Json } {
  for (const block of blocks) {
    for (const el of elementsOf(block)) {
      if (
        el.type === "button" && el.text?.text === text &&
        (value === undefined || el.value === value)
      ) {
        return { block, element: el };
      }
    }
  }
  const all = blocks.flatMap(elementsOf)
    .filter((e: Json) => e.type === "button").map((e: Json) => e.text?.text);
  throw new Error(`no button "${text}" (buttons: ${all.join(" | ")})`);
}

/** The first element of `type` labelled `text` in a message. */
export function findElement(blocks: Json[], type: string, text: string): Json {
  for (const block of blocks) {
    for (const el of elementsOf(block)) {
      if (el.type === type && el.text?.text === text) return el;
    }
  }
  throw new Error(`no ${type} "${text}" in the message`);
}

/** A field's state as Slack reports it before the person changes it. */
export function initialState(el: Json): Json {
  switch (el.type) {
    case "plain_text_input":
      return { type: el.type, value: el.initial_value ?? null };
    case "users_select":
      return { type: el.type, selected_user: el.initial_user ?? null };
    case "datetimepicker":
      return {
        type: el.type,
        selected_date_time: el.initial_date_time ?? null,
      };
    default:
      return { type: el.type, selected_option: el.initial_option ?? null };
  }
}

/** An actions block's elements, or a section's accessory. */
function elementsOf(block: Json): Json[] {
  return block.elements ?? (block.accessory ? [block.accessory] : []);
}
