/**
 * Reading Tailscale's answers: a body checked against its zod schema, a
 * write's answer, and every failure (an HTTP error, a body that is not
 * JSON or not the documented shape, no answer at all) turned into a
 * {@linkcode TailscaleApiError}.
 *
 * @module
 */
import { z } from "zod";
import { kindOfStatus, TailscaleApiError } from "./errors.ts";
import { AttributeWriteResponseSchema, ErrorBodySchema } from "./schemas.ts";
import { networkError } from "./network.ts";
import { errorText } from "../text.ts";

/**
 * Reads the whole body, then either parses it against the schema or turns
 * the failure into a {@linkcode TailscaleApiError}.
 *
 * @example
 * ```ts
 * const device = await parseAnswer("reading device n1", res, DeviceSchema);
 * ```
 */
export async function parseAnswer<S extends z.ZodType>(
  operation: string,
  res: Response,
  schema: S,
): Promise<z.output<S>> {
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw networkError(operation, e);
  }
  if (!res.ok) {
    throw new TailscaleApiError({
      operation,
      status: res.status,
      kind: kindOfStatus(res.status),
      tailscaleMessage: errorMessage(text),
      retryAfterSeconds: retryAfter(res.headers.get("Retry-After")),
    });
  }
  let json: unknown;
  try {
    // An empty body is no value at all: only schemas that allow null pass.
    json = text.trim() ? JSON.parse(text) : null;
  } catch {
    throw new TailscaleApiError({
      operation,
      status: res.status,
      kind: "bad_response",
      tailscaleMessage: "the answer was not JSON",
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new TailscaleApiError({
      operation,
      status: res.status,
      kind: "bad_response",
      tailscaleMessage: `unexpected shape at ${
        parsed.error.issues[0]?.path.join(".") || "top level"
      }`,
    });
  }
  return parsed.data;
}

/**
 * The answer to a write. Any 2xx is a write that happened, whatever its
 * body: the documented shapes (see {@linkcode AttributeWriteResponseSchema})
 * pass quietly; anything else is logged, never turned into a failure.
 *
 * @example
 * ```ts
 * await readWriteAnswer(res, "setting custom:prod on device n1");
 * ```
 */
export async function readWriteAnswer(
  res: Response,
  operation: string,
): Promise<void> {
  if (!res.ok) return await parseAnswer(operation, res, z.never());
  let text = "";
  try {
    text = await res.text();
  } catch (e) {
    // The write was answered 2xx before its body broke off.
    console.warn(`${operation}: answer body unreadable: ${errorText(e)}`);
    return;
  }
  let json: unknown = null;
  try {
    if (text.trim()) json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!AttributeWriteResponseSchema.safeParse(json).success) {
    console.warn(`${operation}: succeeded with an undocumented answer body`);
  }
}

/**
 * Tailscale's `message` (or an OAuth error's description) from an error
 * body, else the raw body; at most 300 characters, undefined when empty.
 *
 * @example
 * ```ts
 * errorMessage('{"message":"invalid key"}'); // "invalid key"
 * ```
 */
export function errorMessage(text: string): string | undefined {
  try {
    const body = ErrorBodySchema.safeParse(JSON.parse(text));
    if (body.success) {
      const m = body.data.message ?? body.data.error_description ??
        body.data.error;
      if (m) return m.slice(0, 300);
    }
  } catch {
    // Not JSON: fall through to the raw text.
  }
  const raw = text.trim();
  return raw ? raw.slice(0, 300) : undefined;
}

/**
 * A `Retry-After` header in seconds: delay-seconds, or an HTTP date
 * counted from now (never negative); undefined when absent or unreadable.
 *
 * @example
 * ```ts
 * retryAfter("2"); // 2
 * ```
 */
export function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(header);
  return Number.isNaN(date)
    ? undefined
    : Math.max(0, (date - Date.now()) / 1000);
}
