/**
 * zod shapes of the Slack payload parts the handlers read. A payload that
 * does not fit is logged and answered, never allowed to crash a handler into
 * Slack's generic error.
 *
 * @module
 */
import { z } from "zod";

const UserId = z.string().regex(/^[UW][A-Z0-9]+$/);

/** `state.values`: block_id → action_id → the element's state. */
const StateValues = z.record(
  z.string(),
  z.record(
    z.string(),
    z.object({ value: z.string().nullish() }).passthrough(),
  ),
);

/** Every interactive payload: who, and for which function execution. */
export const InteractionSchema = z.object({
  user: z.object({ id: UserId }),
  function_data: z.object({ execution_id: z.string().min(1) }),
});

/** A submitted modal: who, its metadata and its values. */
export const ViewSubmissionSchema = InteractionSchema.extend({
  view: z.object({
    id: z.string().min(1),
    private_metadata: z.string().optional(),
    state: z.object({ values: StateValues }),
  }),
});

/** A typed text value from a message or view state, trimmed; "" if none. */
export function typedText(
  values: z.output<typeof StateValues> | undefined,
  field: string,
): string {
  const value = values?.[field]?.[field]?.value;
  return typeof value === "string" ? value.trim() : "";
}

/** A users_select's state, as Slack sends it. */
const SelectedUserSchema = z.object({ selected_user: UserId });

/**
 * The Slack user chosen in a users_select whose block and action IDs are
 * both `field`; null when none is chosen (or it is not a user ID).
 */
export function selectedUser(
  values: z.output<typeof StateValues> | undefined,
  field: string,
): string | null {
  const chosen = SelectedUserSchema.safeParse(values?.[field]?.[field]);
  return chosen.success ? chosen.data.selected_user : null;
}

/** A change in an open view. */
export const ViewActionSchema = InteractionSchema.extend({
  view: z.object({ id: z.string().min(1), hash: z.string().optional() }),
});

/** A block_suggestion (the person typed into an external select). */
export const SuggestionSchema = z.object({
  user: z.object({ id: UserId }),
  value: z.string().default(""),
  view: z.object({
    private_metadata: z.string().optional().transform(formMetadata),
  }).optional(),
});

const FormMetadataSchema = z.object({
  requester_email: z.email().optional(),
});

/** The request form's private_metadata; unreadable metadata counts as none. */
function formMetadata(
  text: string | undefined,
): z.output<typeof FormMetadataSchema> {
  try {
    const parsed = FormMetadataSchema.safeParse(JSON.parse(text ?? "{}"));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** JSON text as a value, or undefined when it is not JSON (or absent). */
export function parseJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? "");
  } catch {
    return undefined;
  }
}

/** The outcome of checking a payload. */
export type Checked<T> = { ok: true; data: T } | { ok: false; problem: string };

/** Checks a payload; on failure logs which fields were wrong (not their values). */
export function checkPayload<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
): Checked<z.output<S>> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, data: parsed.data };
  const problem = parsed.error.issues.map((i) =>
    `${i.path.join(".") || "payload"}: ${i.message}`
  ).join("; ");
  console.error(`${where}: malformed payload (${problem})`);
  return { ok: false, problem };
}
