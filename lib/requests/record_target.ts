/**
 * What a record grants on: a posture attribute on one device, or a login's
 * membership in a policy-file group. The row says it with three fields
 * (`attribute`, `device_id`, `login`; a group profile's attribute is its
 * group, `group:…`); {@linkcode recordTarget} reads them once into a
 * {@linkcode RecordTarget}, and the helpers here narrow a record to one kind
 * or the other instead of `startsWith("group:")` and `login!`.
 *
 * @module
 */
import type { RequestRecord } from "./record.ts";
import { IncompleteRecordError } from "./record_fields.ts";
import { parseJson } from "../slack/mod.ts";
import { type Device, DeviceSchema } from "../tailscale/mod.ts";
import type { Target } from "../grants/mod.ts";

/** A posture attribute on one device (its Tailscale node ID). */
export type DeviceTarget = {
  kind: "device";
  nodeId: string;
  attribute: string;
};
/** A Tailscale login's membership in a policy-file group (`group:…`). */
export type GroupTarget = { kind: "group"; group: string; login: string };
/** What a record grants on, as stored (never asks Tailscale). */
export type RecordTarget = DeviceTarget | GroupTarget;

/** The group a record grants membership in, or null for a device grant. */
export function groupOf(record: RequestRecord): string | null {
  // A record's key is its profile's attribute ("custom:…") or group.
  return record.attribute.startsWith("group:") ? record.attribute : null;
}

/**
 * Whether the record grants a group membership (its profile is a group's).
 *
 * @example
 * ```ts
 * const devices = grants.filter((g) => !isGroupRecord(g));
 * ```
 */
export function isGroupRecord(record: RequestRecord): boolean {
  return groupOf(record) !== null;
}

/**
 * What the record grants on. A group record whose row lacks its login
 * (which the app never writes) reads with an empty login:
 * {@linkcode requireGroup} refuses it.
 *
 * @example
 * ```ts
 * const target = recordTarget(record);
 * if (target.kind === "group") await removeFromGroup(ts, target.group, target.login);
 * else await removeAttribute(ts, target.nodeId, target.attribute);
 * ```
 */
export function recordTarget(record: RequestRecord): RecordTarget {
  const group = groupOf(record);
  return group
    ? { kind: "group", group, login: record.login ?? "" }
    : { kind: "device", nodeId: record.device_id, attribute: record.attribute };
}

/**
 * The group and login of a group record, as {@linkcode recordTarget} reads
 * them (an empty login when the row lacks it); throws an
 * {@linkcode IncompleteRecordError} for a device record.
 *
 * @example
 * ```ts
 * const { group, login } = groupTarget(record);
 * if (!isMember(members, login)) console.log(`not in ${group}`);
 * ```
 */
export function groupTarget(record: RequestRecord): GroupTarget {
  const target = recordTarget(record);
  if (target.kind !== "group") {
    throw new IncompleteRecordError(record.id, "attribute", "is not a group");
  }
  return target;
}

/**
 * The group and login of a group record; throws an
 * {@linkcode IncompleteRecordError} for a device record or a missing login.
 *
 * @example
 * ```ts
 * const { group, login } = requireGroup(record);
 * ```
 */
export function requireGroup(record: RequestRecord): GroupTarget {
  const target = groupTarget(record);
  if (!target.login) throw new IncompleteRecordError(record.id, "login");
  return target;
}

/**
 * The device and attribute of a device record; throws an
 * {@linkcode IncompleteRecordError} for a group record or a missing node ID.
 *
 * @example
 * ```ts
 * const { nodeId, attribute } = requireDevice(record);
 * ```
 */
export function requireDevice(record: RequestRecord): DeviceTarget {
  const target = recordTarget(record);
  if (target.kind !== "device") {
    throw new IncompleteRecordError(record.id, "attribute", "is a group");
  }
  if (!target.nodeId) throw new IncompleteRecordError(record.id, "device_id");
  return target;
}

/**
 * The device as the submission saw it (kept to describe it until the
 * decision reads it again), or null when the record has none.
 */
export function snapshotOf(record: RequestRecord): Device | null {
  const parsed = DeviceSchema.safeParse(parseJson(record.device_snapshot));
  return parsed.success && parsed.data.nodeId === record.device_id
    ? parsed.data
    : null;
}

/**
 * The device to describe the request with: as the submission saw it, or
 * just its node ID when the record has no snapshot. Never asks Tailscale.
 */
export function describedDevice(record: RequestRecord): Device {
  return snapshotOf(record) ?? {
    nodeId: record.device_id,
    hostname: record.device_id,
    name: "",
    user: "",
    os: "",
    addresses: [],
    tags: [],
    connectedToControl: false,
    isExternal: false,
  };
}

/**
 * What the record grants on, for messages (a device as last seen, a group
 * with its login); never asks Tailscale.
 *
 * @example
 * ```ts
 * const text = targetName(targetOf(record)); // "alice-laptop" or "group:prod (alice@…)"
 * ```
 */
export function targetOf(record: RequestRecord): Target {
  const group = groupOf(record);
  return group
    ? { kind: "group", group, login: record.login ?? "(unknown login)" }
    : { kind: "device", device: describedDevice(record) };
}
