/**
 * Custom device posture attributes in the Tailscale emulator: reading,
 * setting one, batch-patching many and deleting, with Tailscale's rules for
 * keys, values, expiries and comments, and the tailnet-wide rules (keys
 * unique case-insensitively, one type per key).
 *
 * @module
 */
import { osVersion } from "./devices.ts";
import {
  at,
  HttpError,
  isPlainObject,
  parseJsonObject,
  rejectUnknownFields,
  type Reply,
  type RouteTable,
} from "./http.ts";
import {
  type OAuthClient,
  READ_ATTRIBUTES,
  WRITE_ATTRIBUTES,
} from "./oauth.ts";
import type { Tailnet } from "./tailnet.ts";
import type {
  AttributeValue,
  AttributeWriteResponse,
  FakeDevice,
  StoredAttribute,
} from "./types.ts";

/** "Keys have a maximum length of 128 characters including the namespace". */
const MAX_KEY_LENGTH = 128;
const MAX_STRING_VALUE_LENGTH = 50;
const MAX_COMMENT_LENGTH = 200;
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** One validated change of a batch PATCH; `stored: null` deletes. */
type AttributeChange = {
  nodeId: string;
  key: string;
  stored: StoredAttribute | null;
};

/** What the attribute endpoints answer from. */
export type AttributeApi = {
  oauth: OAuthClient;
  tailnet: Tailnet;
  /** Success body of setting one attribute. */
  writeResponse: AttributeWriteResponse;
};

/**
 * The attribute endpoints' routes.
 *
 * @example
 * ```ts
 * const routes = attributeRoutes({ oauth, tailnet, writeResponse: "null" });
 * ```
 */
export function attributeRoutes(ctx: AttributeApi): RouteTable {
  return [
    [/^device\/([^/]+)\/attributes$/, {
      methods: ["GET"],
      run: (req, _u, _t, [id]) => getAttributes(ctx, req, id),
    }],
    [/^tailnet\/([^/]+)\/device-attributes$/, {
      methods: ["PATCH"],
      run: (req, _u, text, [tailnet]) =>
        patchAttributes(ctx, req, tailnet, text),
    }],
    [/^device\/([^/]+)\/attributes\/([^/]+)$/, {
      methods: ["POST", "DELETE"],
      run: (req, _u, text, [id, key]) =>
        req.method === "POST"
          ? setAttribute(ctx, req, id, key, text)
          : deleteAttribute(ctx, req, id, key),
    }],
  ];
}

function getAttributes(ctx: AttributeApi, req: Request, id: string): Reply {
  ctx.oauth.authorize(req, READ_ATTRIBUTES);
  return {
    status: 200,
    body: attributesBody(ctx.tailnet, ctx.tailnet.requireDevice(id)),
  };
}

function setAttribute(
  ctx: AttributeApi,
  req: Request,
  id: string,
  key: string,
  text: string,
): Reply {
  ctx.oauth.authorize(req, WRITE_ATTRIBUTES);
  const device = ctx.tailnet.requireManageableDevice(id);
  const body = parseJsonObject(text);
  const { value, expiry, comment } = body;
  validateKey(key);
  const stored = storedAttribute(value, expiry, ctx.tailnet.clock());
  validateComment(comment);
  if (typeof comment === "string") stored.comment = comment;
  checkTailnetConsistency(ctx.tailnet, key, stored.value);
  ctx.tailnet.attributes.get(device.nodeId)!.set(key, stored);
  switch (ctx.writeResponse) {
    case "null":
      // What the API answers (tailscale/tailscale#18253), not the
      // documented attributes object.
      return { status: 200, body: null };
    case "empty-body":
      return { status: 200, body: undefined };
    case "{}":
      return { status: 200, body: {} };
    case "attributes":
      return { status: 200, body: attributesBody(ctx.tailnet, device) };
  }
}

/**
 * `PATCH /tailnet/{tailnet}/device-attributes`: JSON Merge Patch of many
 * devices' attributes (`null` deletes). Everything is checked before
 * anything is applied: the spec is silent on atomicity, so one bad entry
 * fails the whole batch (stricter choice).
 */
function patchAttributes(
  ctx: AttributeApi,
  req: Request,
  tailnet: string,
  text: string,
): Reply {
  ctx.oauth.authorize(req, WRITE_ATTRIBUTES);
  ctx.tailnet.checkName(tailnet);
  const body = parseJsonObject(text);
  // Unknown fields are refused rather than ignored (spec is silent;
  // stricter choice), so a misplaced "comment" or "attributes" is loud.
  rejectUnknownFields(body, ["nodes", "comment"], "request body");
  validateComment(body.comment);
  const comment = body.comment as string | undefined;
  const nodes = body.nodes;
  if (!isPlainObject(nodes)) {
    throw new HttpError(
      400,
      "nodes must be an object mapping device IDs to attributes",
    );
  }
  const { changes, listed } = patchChanges(ctx.tailnet, nodes, comment);
  // Each new value must fit the tailnet as it is and the batch's other
  // values; a deletion in the same batch does not free a key's type.
  const pending: [string, AttributeValue][] = [];
  for (const { nodeId, key, stored } of changes) {
    if (!stored) continue;
    at(
      `nodes["${listed.get(nodeId)}"]["${key}"]`,
      () => checkTailnetConsistency(ctx.tailnet, key, stored.value, pending),
    );
    pending.push([key, stored.value]);
  }
  for (const { nodeId, key, stored } of changes) {
    const attrs = ctx.tailnet.attributes.get(nodeId)!;
    if (stored) attrs.set(key, stored);
    else attrs.delete(key); // Merge Patch: deleting an absent key is a no-op.
  }
  // Documented: 200 with schema type 'null'.
  return { status: 200, body: null };
}

/**
 * A batch's changes, each checked on its own, and each listed device's id
 * as written (nodeId → id).
 */
function patchChanges(
  tailnet: Tailnet,
  nodes: Record<string, unknown>,
  comment: string | undefined,
): { changes: AttributeChange[]; listed: Map<string, string> } {
  const now = tailnet.clock();
  const changes: AttributeChange[] = [];
  const listed = new Map<string, string>(); // nodeId → id as written
  for (const [id, patch] of Object.entries(nodes)) {
    const device = listedDevice(tailnet, id, listed);
    if (!isPlainObject(patch)) {
      throw new HttpError(
        400,
        `nodes["${id}"] must be an object mapping attribute keys to {value, expiry} or null`,
      );
    }
    for (const [key, entry] of Object.entries(patch)) {
      at(`nodes["${id}"]["${key}"]`, () => {
        validateKey(key);
        if (entry === null) {
          changes.push({ nodeId: device.nodeId, key, stored: null });
          return;
        }
        if (!isPlainObject(entry)) {
          throw new HttpError(400, "must be {value, expiry?} or null");
        }
        rejectUnknownFields(entry, ["value", "expiry"], "attribute");
        const stored = storedAttribute(entry.value, entry.expiry, now);
        if (comment !== undefined) stored.comment = comment;
        changes.push({ nodeId: device.nodeId, key, stored });
      });
    }
  }
  return { changes, listed };
}

/** A device a batch names: manageable, and named once (`listed` records it). */
function listedDevice(
  tailnet: Tailnet,
  id: string,
  listed: Map<string, string>,
): FakeDevice {
  // An id the tailnet does not have is a bad payload, not a missing
  // resource: 400 naming it (spec is silent; stricter choice).
  const device = tailnet.findDevice(id);
  if (!device) throw new HttpError(400, `device "${id}" not found`);
  if (device.isExternal) {
    throw new HttpError(
      400,
      `no manageable device matching ID "${id}" found`,
    );
  }
  const twice = listed.get(device.nodeId);
  if (twice !== undefined) {
    throw new HttpError(
      400,
      `device "${id}" is listed twice (also as "${twice}")`,
    );
  }
  listed.set(device.nodeId, id);
  return device;
}

function deleteAttribute(
  ctx: AttributeApi,
  req: Request,
  id: string,
  key: string,
): Reply {
  ctx.oauth.authorize(req, WRITE_ATTRIBUTES);
  const device = ctx.tailnet.requireManageableDevice(id);
  validateKey(key);
  ctx.tailnet.dropExpired();
  const attrs = ctx.tailnet.attributes.get(device.nodeId)!;
  // An expired attribute that still lingers counts as set. Deleting one
  // that is not set: spec is silent; stricter choice than an idempotent
  // 200, so a caller cannot mistake "was never there" for "removed".
  if (!attrs.has(key)) throw new HttpError(404, "attribute not found");
  attrs.delete(key);
  // The spec declares a 200 with no content.
  return { status: 200, body: undefined };
}

/**
 * Tailnet-wide rules: keys are unique case-insensitively, and every value
 * of a key has the type of the first one written (while any device still
 * holds the key, an expired one that lingers included). `pending` are the
 * other values of the same batch.
 */
function checkTailnetConsistency(
  tailnet: Tailnet,
  key: string,
  value: AttributeValue,
  pending: [string, AttributeValue][] = [],
): void {
  tailnet.dropExpired();
  const lower = key.toLowerCase();
  const held = [...tailnet.attributes.values()].flatMap((attrs) =>
    [...attrs].map(([k, a]): [string, AttributeValue] => [k, a.value])
  );
  for (const [existing, other] of [...held, ...pending]) {
    if (existing !== key && existing.toLowerCase() === lower) {
      throw new HttpError(
        400,
        `attribute key "${key}" conflicts with existing key "${existing}": keys must be unique (case-insensitive)`,
      );
    }
    if (existing === key && typeof other !== typeof value) {
      throw new HttpError(
        400,
        `attribute "${key}" already has ${typeof other} values; all values of a key must have the same type (got ${typeof value})`,
      );
    }
  }
}

/** The documented GET attributes body: custom plus node:* attributes. */
function attributesBody(tailnet: Tailnet, device: FakeDevice): {
  attributes: Record<string, AttributeValue>;
  expiries?: Record<string, string>;
} {
  const custom = tailnet.customAttributes(device.nodeId);
  const attributes: Record<string, AttributeValue> = {
    ...custom.attributes,
    "node:os": device.os,
    "node:osVersion": osVersion(device.os),
    "node:tsReleaseTrack": "stable",
    "node:tsVersion": device.isExternal
      ? ""
      : device.clientVersion.split("-")[0],
    "node:tsAutoUpdate": false,
  };
  // Tailscale leaves "expiries" out entirely when nothing expires.
  return Object.keys(custom.expiries).length
    ? { attributes, expiries: custom.expiries }
    : { attributes };
}

function validateKey(key: string): void {
  if (!key.startsWith("custom:")) {
    throw new HttpError(
      400,
      `attribute key "${key}" must start with "custom:"`,
    );
  }
  if (key.length > MAX_KEY_LENGTH) {
    throw new HttpError(
      400,
      `attribute key must be at most ${MAX_KEY_LENGTH} characters including the namespace`,
    );
  }
  if (!/^custom:[A-Za-z0-9_:]+$/.test(key)) {
    throw new HttpError(
      400,
      "attribute key may only contain letters, numbers, underscores and colons",
    );
  }
}

/** An attribute as written, checked by the value and expiry rules. */
function storedAttribute(
  value: unknown,
  expiry: unknown,
  now: number,
): StoredAttribute {
  const stored: StoredAttribute = { value: validateValue(value) };
  const expiresAt = validateExpiry(expiry, now);
  if (expiresAt !== undefined) {
    stored.expiry = expiry as string;
    stored.expiresAt = expiresAt;
  }
  return stored;
}

function validateValue(value: unknown): AttributeValue {
  if (value === undefined) throw new HttpError(400, "value is required");
  if (typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isInteger(value)) {
      throw new HttpError(400, "number value must be an integer");
    }
    if (!Number.isSafeInteger(value)) {
      throw new HttpError(
        400,
        `number value must be between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`,
      );
    }
    return value;
  }
  if (typeof value === "string") {
    if (value.length === 0 || value.length > MAX_STRING_VALUE_LENGTH) {
      throw new HttpError(
        400,
        `string value must be 1 to ${MAX_STRING_VALUE_LENGTH} characters`,
      );
    }
    if (!/^[A-Za-z0-9_.]+$/.test(value)) {
      throw new HttpError(
        400,
        "string value may only contain letters, numbers, underscores and periods",
      );
    }
    return value;
  }
  throw new HttpError(400, "value must be a string, number or boolean");
}

/** Returns the expiry as epoch ms, or undefined when none was given. */
function validateExpiry(expiry: unknown, now: number): number | undefined {
  if (expiry === undefined) return undefined;
  const m = typeof expiry === "string" ? RFC3339.exec(expiry) : null;
  const ms = m ? Date.parse((expiry as string).toUpperCase()) : NaN;
  if (!m || Number.isNaN(ms) || !fieldsInRange(m)) {
    throw new HttpError(400, "expiry must be an RFC3339 timestamp");
  }
  if (ms <= now) {
    throw new HttpError(400, "expiry must be in the future");
  }
  return ms;
}

function validateComment(comment: unknown): void {
  if (
    comment !== undefined &&
    (typeof comment !== "string" || comment.length > MAX_COMMENT_LENGTH)
  ) {
    throw new HttpError(
      400,
      `comment must be a string of at most ${MAX_COMMENT_LENGTH} characters`,
    );
  }
}

/** Date.parse rolls impossible dates over (Feb 30 → Mar 2); RFC3339 does not. */
function fieldsInRange(m: RegExpExecArray): boolean {
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth &&
    hour <= 23 && minute <= 59 && second <= 59;
}
