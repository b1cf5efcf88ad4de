/**
 * Reading the request form's state from a Slack view payload.
 *
 * @module
 */
import { z } from "zod";

/** action_ids of the request form's fields. */
export const FIELD = {
  profile: "profile",
  device: "device",
  duration: "duration",
  approver: "approver",
  reason: "reason",
  /** Optional: when the access starts (a `datetimepicker`, Unix seconds). */
  start: "start",
  /** Break-glass profiles: "emergency" grants at once, without an approver. */
  emergency: "emergency",
} as const;

/** The values of the emergency field (break-glass profiles only). */
export const GRANT_MODE = {
  approval: "approval",
  emergency: "emergency",
} as const;

/** A field of the request form. */
export type Field = typeof FIELD[keyof typeof FIELD];

const ElementState = z.object({
  type: z.string().optional(),
  selected_option: z.object({ value: z.string() }).nullish(),
  selected_user: z.string().nullish(),
  value: z.string().nullish(),
  /** A `datetimepicker`'s choice, in Unix seconds. */
  selected_date_time: z.number().nullish(),
});

/** `view.state` as Slack sends it. */
export const ViewStateSchema = z.object({
  values: z.record(z.string(), z.record(z.string(), ElementState)),
});

/** What the person entered, and which block holds each field. */
export type FormState = {
  values: Partial<Record<Field, string>>;
  /** block_id of each field, for `response_action: "errors"`. */
  blockIds: Partial<Record<Field, string>>;
};

const FIELDS = new Set<string>(Object.values(FIELD));

/**
 * Extracts the form's values by action_id (block IDs change with the chosen
 * profile, so they are reported rather than assumed).
 *
 * @throws {z.ZodError} when the state is not shaped like Slack's.
 */
export function readFormState(state: unknown): FormState {
  const parsed = ViewStateSchema.parse(state ?? { values: {} });
  const form: FormState = { values: {}, blockIds: {} };
  for (const [blockId, elements] of Object.entries(parsed.values)) {
    for (const [actionId, element] of Object.entries(elements)) {
      if (!FIELDS.has(actionId)) continue;
      const field = actionId as Field;
      form.blockIds[field] = blockId;
      const value = element.selected_option?.value ?? element.selected_user ??
        element.value ?? element.selected_date_time?.toString();
      if (value != null && value !== "") form.values[field] = value;
    }
  }
  return form;
}

/** What is wrong with a form, by field: the message each field shows. */
export type FieldErrors = Partial<Record<Field, string>>;

/**
 * Slack's `errors` for a form: each field's message on the block that holds
 * it; a field the form did not send goes on `fallback`'s block. Fields are
 * placed in form order, and the first message placed on a block stays.
 *
 * @example
 * ```ts
 * const errors = errorsByBlock(form, { reason: "Say why you need access." },
 *   form.blockIds.profile ?? FIELD.profile);
 * return { response_action: "errors", errors };
 * ```
 */
export function errorsByBlock(
  form: Pick<FormState, "blockIds">,
  problems: FieldErrors,
  fallback: string | ((field: Field) => string),
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of Object.values(FIELD)) {
    const message = problems[field];
    if (message === undefined) continue;
    const block = form.blockIds[field] ??
      (typeof fallback === "string" ? fallback : fallback(field));
    errors[block] ??= message;
  }
  return errors;
}
