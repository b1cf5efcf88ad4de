/**
 * The Web API's wire conventions, shared by every method family of the
 * Slack emulator: how arguments arrive (form or JSON bodies, JSON-encoded
 * object values), how handlers refuse a call (`{ok: false, error}`) and the
 * small argument readers they use.
 *
 * @module
 */

/** A method's arguments, as parsed from the request. */
export type Args = Record<string, unknown>;
/** A method's answer, before it is JSON-encoded. */
export type Reply = Record<string, unknown>;
/** Web API method name → handler, e.g. `"chat.postMessage"`. */
export type MethodTable = Record<string, (args: Args) => Reply>;

/**
 * Slack evaluates at most this many datastore items per query by default;
 * workflows.triggers.list pages the same way.
 */
export const DEFAULT_QUERY_LIMIT = 100;

/**
 * Argument names whose form values are JSON documents. The SDK client
 * JSON-encodes every non-string value, so anything else stays a string, just
 * as Slack itself would see it.
 */
const JSON_PARAMS = new Set([
  "schedule",
  "workflow",
  "view",
  "blocks",
  "attachments",
  "item",
  "items",
  "ids",
  "outputs",
  "expression_attributes",
  "expression_values",
  "metadata",
  "inputs",
  "event",
  "shortcut",
  "webhook",
]);

/** Thrown by method handlers to answer `{ok: false, error, ...extra}`. */
export class SlackApiError extends Error {
  /** `code` is Slack's `error`; `extra` is merged into the answer. */
  constructor(readonly code: string, readonly extra: Reply = {}) {
    super(code);
  }
}

/** Slack's `invalid_arguments`, with its messages. */
export function invalidArguments(messages: string[]): SlackApiError {
  return new SlackApiError("invalid_arguments", {
    response_metadata: { messages },
  });
}

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Form values arrive as strings; JSON bodies may carry numbers or booleans. */
export function asString(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  return undefined;
}

/** A boolean argument: form bodies carry "true" or "1". */
export function flag(value: unknown): boolean {
  const s = asString(value);
  return s === "true" || s === "1";
}

/** Refuses the call when any of `names` is missing or empty. */
export function required(args: Args, ...names: string[]): void {
  const missing = names.filter((n) => {
    const v = args[n];
    return v === undefined || v === null || v === "";
  });
  if (missing.length) {
    throw invalidArguments(
      missing.map((n) => `[ERROR] missing required field: ${n}`),
    );
  }
}

/** A paged method's `limit`: {@link DEFAULT_QUERY_LIMIT} unless given. */
export function pageLimit(args: Args): number {
  const limit = args.limit === undefined || args.limit === ""
    ? DEFAULT_QUERY_LIMIT
    : Number(args.limit);
  if (!Number.isInteger(limit) || limit < 1) {
    throw invalidArguments(["[ERROR] limit must be a positive integer"]);
  }
  return limit;
}

/** Arguments from the query string and a form or JSON body. */
export async function parseArgs(req: Request, url: URL): Promise<Args> {
  const args: Args = {};
  const fromForm = (params: URLSearchParams) => {
    for (const [key, value] of params) {
      args[key] = JSON_PARAMS.has(key) ? parseJsonValue(value) : value;
    }
  };
  fromForm(url.searchParams);
  const body = await req.text();
  if (!body.trim()) return args;
  const type = req.headers.get("content-type") ?? "";
  if (type.includes("application/json")) {
    const parsed: unknown = JSON.parse(body);
    if (!isObject(parsed)) throw new Error("JSON body must be an object");
    Object.assign(args, parsed);
  } else {
    fromForm(new URLSearchParams(body));
  }
  return args;
}

/** JSON text becomes its value; anything unparsable stays the raw string. */
function parseJsonValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
