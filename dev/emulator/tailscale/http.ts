/**
 * The Tailscale API's wire conventions, shared by every endpoint family of
 * the emulator: error answers (`{"message"}`), JSON and form bodies, Basic
 * auth, what a call is recorded as, and the answer sent back.
 *
 * @module
 */

/** An answer, before it is encoded. */
export type Reply = {
  status: number;
  /**
   * `undefined` sends no body at all; a string is sent verbatim; anything
   * else (including `null`) as JSON.
   */
  body: unknown;
  headers?: Record<string, string>;
};

/** An endpoint: its methods and its handler (`params`: the path's captures). */
export type Route = {
  methods: string[];
  run: (req: Request, url: URL, text: string, params: string[]) => Reply;
};

/** A path pattern (after `/api/v2/`) and the endpoint it leads to. */
export type RouteTable = [RegExp, Route][];

/**
 * An error answer; thrown inside handlers and turned into `{"message"}`
 * (plus `"data"` when given, as the policy endpoints' test failures).
 */
export class HttpError extends Error {
  /** `status` and `message` make the answer; `data` is added when given. */
  constructor(
    readonly status: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** Percent-decodes a path for records and `failNext` patterns; raw if malformed. */
export function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** RFC3339 the way Tailscale writes it: UTC, whole seconds. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Whether `v` is a JSON object (not null, not an array). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Runs a check, prefixing its 400 message with where in the body it failed. */
export function at(where: string, check: () => void): void {
  try {
    check();
  } catch (e) {
    if (e instanceof HttpError) {
      throw new HttpError(e.status, `${where}: ${e.message}`, e.data);
    }
    throw e;
  }
}

/** A JSON request body that must be an object. */
export function parseJsonObject(text: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, "request body is not valid JSON");
  }
  if (!isPlainObject(body)) {
    throw new HttpError(400, "request body must be a JSON object");
  }
  return body;
}

/** A 400 naming the first field of `obj` that is not `known`. */
export function rejectUnknownFields(
  obj: Record<string, unknown>,
  known: string[],
  what: string,
): void {
  const unknown = Object.keys(obj).filter((k) => !known.includes(k));
  if (unknown.length) {
    throw new HttpError(
      400,
      `unknown field "${unknown[0]}" in ${what} (allowed: ${known.join(", ")})`,
    );
  }
}

/** Form fields, only when the body is declared as a form (as Go's ParseForm). */
export function readForm(req: Request, text: string): URLSearchParams {
  const type = req.headers.get("content-type") ?? "";
  return type.toLowerCase().startsWith("application/x-www-form-urlencoded")
    ? new URLSearchParams(text)
    : new URLSearchParams();
}

/** The user and password of a Basic authorization header, if any. */
export function basicAuth(
  req: Request,
): { user: string; password: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
  if (!m) return undefined;
  let decoded: string;
  try {
    decoded = atob(m[1]);
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(":");
  return colon < 0
    ? { user: decoded, password: "" }
    : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** A token request as recorded: never its secret. */
export function tokenRequestForRecord(req: Request, text: string): unknown {
  const form = readForm(req, text);
  return {
    client_id: form.get("client_id") ?? basicAuth(req)?.user,
    grant_type: form.get("grant_type") ?? undefined,
  };
}

/** A request body as recorded: its JSON, else its text. */
export function parseForRecord(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Encoded bytes (`Uint8Array<ArrayBuffer>` where the TS lib is generic). */
type Bytes = ReturnType<TextEncoder["encode"]>;

/** The HTTP response for a reply whose body is already encoded. */
export function toResponse(reply: Reply, answer: Bytes | undefined): Response {
  const headers = new Headers(reply.headers);
  // 204/205/304 must not carry a body; the Response constructor enforces it.
  if ([204, 205, 304].includes(reply.status) || answer === undefined) {
    return new Response(null, { status: reply.status, headers });
  }
  if (!headers.has("content-type")) {
    headers.set(
      "content-type",
      typeof reply.body === "string"
        ? "text/plain; charset=utf-8"
        : "application/json",
    );
  }
  // Deno 1.x's server gzips compressible bodies and then weakens their
  // ETag to W/"…", which no If-Match would match: keep an ETag as sent.
  if (headers.has("etag")) headers.set("cache-control", "no-transform");
  return new Response(answer, { status: reply.status, headers });
}

/** `bytes` random bytes in hex. */
export function randomHex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/** 64 hex digits derived from a string (FNV-1a), so keys are stable per device. */
export function stableHex(seed: string): string {
  let out = "";
  for (let round = 0; out.length < 64; round++) {
    let h = 0x811c9dc5 ^ round;
    for (let i = 0; i < seed.length; i++) {
      h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
    }
    out += (h >>> 0).toString(16).padStart(8, "0");
  }
  return out;
}
