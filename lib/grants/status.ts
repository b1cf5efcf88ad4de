/**
 * A grant's status as Tailscale answers for it now, so that a grant removed
 * or changed outside the app says so: for a device, whether the attribute is
 * still there with the grant's expiry (or the device is gone); for a group,
 * whether the login is still in the group in the policy file.
 *
 * @module
 */
import { groupMembers, isMember } from "../policy/mod.ts";
import { expiryOf, recordTarget, type RequestRecord } from "../requests/mod.ts";
import {
  type ClientResult,
  type DeviceAttributes,
  TailscaleApiError,
} from "../tailscale/mod.ts";
import { errorText } from "../text.ts";

/** What Tailscale says about a grant the app recorded. */
export type TailscaleStatus =
  | { kind: "as_granted" }
  | { kind: "removed" }
  /** A group grant whose login is no longer in the group. */
  | { kind: "not_in_group" }
  /** The device is no longer in the tailnet. */
  | { kind: "device_gone" }
  | { kind: "changed"; until?: Date }
  /** Approved to start later: nothing is in Tailscale until `at`. */
  | { kind: "starts"; at: Date }
  | { kind: "unknown"; error: string };

/** A device's attributes as read, or why they could not be. */
export type AttributesRead =
  | DeviceAttributes
  /** Tailscale answered 404: the device is no longer there. */
  | { gone: true }
  | { error: string };

/** How far Tailscale's expiry may be from the grant's and still be ours (ms). */
const SAME_EXPIRY_MS = 60_000;

/**
 * The status of an attribute grant from its device's attributes: absent
 * (removed), not `true` or with another expiry or none (changed), or as
 * granted.
 *
 * @example
 * ```ts
 * attributeStatus({ attributes: {}, expiries: {} }, grant); // { kind: "removed" }
 * ```
 */
export function attributeStatus(
  read: AttributesRead,
  grant: Pick<RequestRecord, "attribute" | "expires_at">,
): TailscaleStatus {
  if ("gone" in read) return { kind: "device_gone" };
  if ("error" in read) return { kind: "unknown", error: read.error };
  const value = read.attributes[grant.attribute];
  const expiry = read.expiries[grant.attribute];
  if (value === undefined) return { kind: "removed" };
  // A grant without a readable end has nothing to compare: as granted.
  const end = expiryOf(grant);
  if (
    value !== true || !expiry ||
    (end !== null &&
      Math.abs(Date.parse(expiry) - end.getTime()) > SAME_EXPIRY_MS)
  ) {
    return { kind: "changed", ...(expiry ? { until: new Date(expiry) } : {}) };
  }
  return { kind: "as_granted" };
}

/**
 * The status of a group grant from the policy file's text (or why it could
 * not be read): the login still in the group, or not.
 */
export function groupStatus(
  policy: string | { error: string },
  grant: Pick<RequestRecord, "attribute" | "login">,
): TailscaleStatus {
  if (typeof policy !== "string") {
    return { kind: "unknown", error: policy.error };
  }
  try {
    const members = groupMembers(policy, grant.attribute) ?? [];
    return isMember(members, grant.login ?? "")
      ? { kind: "as_granted" }
      : { kind: "not_in_group" };
  } catch (e) {
    return { kind: "unknown", error: errorText(e) };
  }
}

function notSet(built: ClientResult & { ok: false }): { error: string } {
  return { error: `${built.missing.join(" and ")} not set` };
}

/** The policy file's text, read once for every group grant. */
async function readPolicy(
  built: ClientResult,
): Promise<string | { error: string }> {
  if (!built.ok) return notSet(built);
  try {
    return (await built.tailscale.getPolicyFile()).text;
  } catch (e) {
    return { error: errorText(e) };
  }
}

async function readAttributes(
  built: ClientResult,
  nodeId: string,
): Promise<AttributesRead> {
  if (!built.ok) return notSet(built);
  try {
    return await built.tailscale.getAttributes(nodeId);
  } catch (e) {
    // A 404 on a device's attributes: the device is no longer there.
    if (e instanceof TailscaleApiError && e.kind === "not_found") {
      return { gone: true };
    }
    return { error: errorText(e) };
  }
}

/**
 * What Tailscale holds for each grant right now, by request ID: one read of
 * the policy file for all group grants, one read of each device's
 * attributes for the others.
 *
 * @example
 * ```ts
 * const statuses = await tailscaleStatuses(tailscaleFromEnv(env, client), grants);
 * statuses.get(grant.id); // { kind: "as_granted" }
 * ```
 */
export async function tailscaleStatuses(
  built: ClientResult,
  grants: RequestRecord[],
): Promise<Map<string, TailscaleStatus>> {
  const out = new Map<string, TailscaleStatus>();
  const targets = grants.map((g) => ({ grant: g, target: recordTarget(g) }));
  const groupGrants = targets.filter((t) => t.target.kind === "group");
  if (groupGrants.length) {
    const policy = await readPolicy(built);
    for (const { grant } of groupGrants) {
      out.set(grant.id, groupStatus(policy, grant));
    }
  }
  const onDevices = targets.flatMap(({ grant, target }) =>
    target.kind === "device" ? [{ grant, nodeId: target.nodeId }] : []
  );
  const devices = [...new Set(onDevices.map((d) => d.nodeId))];
  const held = new Map<string, AttributesRead>();
  await Promise.all(
    devices.map(async (d) => held.set(d, await readAttributes(built, d))),
  );
  for (const { grant, nodeId } of onDevices) {
    out.set(grant.id, attributeStatus(held.get(nodeId)!, grant));
  }
  return out;
}
