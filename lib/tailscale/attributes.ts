/**
 * Custom posture attributes on a device: read, set with an expiry, delete.
 * A device grant is one such attribute.
 *
 * @module
 */
import { readWriteAnswer } from "./answers.ts";
import type { TailscaleHttp } from "./http.ts";
import { AttributesResponseSchema } from "./schemas.ts";

/** A value Tailscale accepts for a custom posture attribute. */
export type AttributeValue = string | number | boolean;

/** What to write with `TailscaleClient.setPostureAttribute`. */
export type PostureAttributeWrite = {
  value: AttributeValue;
  /** When Tailscale removes the attribute by itself. */
  expiry: Date;
  /** Shown in the admin console; at most 200 characters. */
  comment: string;
};

/** Longest comment Tailscale stores with an attribute. */
export const MAX_COMMENT_LENGTH = 200;

/** A device's posture attributes and their expiries. */
export type DeviceAttributes = {
  attributes: Record<string, AttributeValue>;
  expiries: Record<string, string>;
};

/** The path of one attribute of one device. */
function attributePath(nodeId: string, key: string): string {
  return `/api/v2/device/${encodeURIComponent(nodeId)}/attributes/${
    encodeURIComponent(key)
  }`;
}

/**
 * `GET /device/{nodeId}/attributes`, with no expiries read as none.
 *
 * @example
 * ```ts
 * const { attributes } = await getAttributes(http, "nABC123");
 * ```
 */
export async function getAttributes(
  http: TailscaleHttp,
  nodeId: string,
): Promise<DeviceAttributes> {
  const body = await http.request(
    `reading the attributes of device ${nodeId}`,
    "GET",
    `/api/v2/device/${encodeURIComponent(nodeId)}/attributes`,
    AttributesResponseSchema,
  );
  return { attributes: body.attributes, expiries: body.expiries ?? {} };
}

/**
 * `POST /device/{nodeId}/attributes/{key}`.
 *
 * @throws {RangeError} before any request, when the comment is longer than
 * {@linkcode MAX_COMMENT_LENGTH}.
 *
 * @example
 * ```ts
 * await setPostureAttribute(http, "nABC123", "custom:prod", {
 *   value: true,
 *   expiry: new Date(Date.now() + 3_600_000),
 *   comment: "granted to alice for 1 hour",
 * });
 * ```
 */
export async function setPostureAttribute(
  http: TailscaleHttp,
  nodeId: string,
  key: string,
  write: PostureAttributeWrite,
): Promise<void> {
  if (write.comment.length > MAX_COMMENT_LENGTH) {
    throw new RangeError(
      `attribute comment is ${write.comment.length} characters; Tailscale allows ${MAX_COMMENT_LENGTH}`,
    );
  }
  await http.call(
    `setting ${key} on device ${nodeId}`,
    "POST",
    attributePath(nodeId, key),
    readWriteAnswer,
    {
      json: {
        value: write.value,
        expiry: write.expiry.toISOString(),
        comment: write.comment,
      },
    },
  );
}

/**
 * `DELETE /device/{nodeId}/attributes/{key}`.
 *
 * @example
 * ```ts
 * await deletePostureAttribute(http, "nABC123", "custom:prod");
 * ```
 */
export async function deletePostureAttribute(
  http: TailscaleHttp,
  nodeId: string,
  key: string,
): Promise<void> {
  await http.call(
    `removing ${key} from device ${nodeId}`,
    "DELETE",
    attributePath(nodeId, key),
    readWriteAnswer,
  );
}
