/**
 * Attribute grants when they end: the app removes the attribute it set
 * instead of waiting for Tailscale, which removes an expired attribute only
 * "within a few minutes after" its expiry (spec: setCustomDevicePostureAttributes),
 * so access ends when the messages say it does. An attribute someone else
 * has set since is left alone and reported; a device that left the tailnet
 * has no access left to remove.
 *
 * @module
 */
import { expiryOf } from "../requests/mod.ts";
import { TailscaleApiError, type TailscaleClient } from "../tailscale/mod.ts";

/** What became of a grant's attribute when the grant ended. */
export type AttributeEnd =
  /** The app deleted it. */
  | { kind: "removed" }
  /** It was no longer set (Tailscale, or someone else, removed it). */
  | { kind: "already_gone" }
  /** The device is no longer in the tailnet, so nothing has access. */
  | { kind: "device_gone" }
  /** Set since by someone else, with another expiry (or none): left alone. */
  | { kind: "changed"; until: Date | null };

/** How close two expiries must be to count as the same one (ms). */
const SAME_EXPIRY_MS = 1000;

function isNotFound(e: unknown): boolean {
  return e instanceof TailscaleApiError && e.kind === "not_found";
}

/**
 * Deletes the attribute. Tailscale answers 404 both for a device that is
 * gone and (the spec is silent) for an attribute that is not set, so a 404
 * is settled by reading the device and its attributes.
 *
 * @throws {TailscaleApiError} when the attribute could not be removed.
 */
export async function removeAttribute(
  tailscale: TailscaleClient,
  nodeId: string,
  key: string,
): Promise<Exclude<AttributeEnd["kind"], "changed">> {
  try {
    await tailscale.deletePostureAttribute(nodeId, key);
    return "removed";
  } catch (e) {
    if (!isNotFound(e)) throw e;
    const held = await tailscale.getAttributes(nodeId).catch((read) => {
      if (isNotFound(read)) return null;
      throw read;
    });
    if (held === null) return "device_gone";
    if (held.attributes[key] === undefined) return "already_gone";
    throw e;
  }
}

/**
 * Ends a grant whose time is up: removes the attribute if it is still the
 * one the app set (`true` with the grant's expiry), reports it as changed
 * when someone else has set it since with a later or no expiry.
 *
 * @throws {TailscaleApiError} when Tailscale could not be read or written.
 */
export async function endAttributeGrant(
  tailscale: TailscaleClient,
  grant: { device_id: string; attribute: string; expires_at?: string },
  now: Date,
): Promise<AttributeEnd> {
  const { device_id: nodeId, attribute: key } = grant;
  const held = await tailscale.getAttributes(nodeId).catch((e) => {
    if (isNotFound(e)) return null;
    throw e;
  });
  if (held === null) return { kind: "device_gone" };
  if (held.attributes[key] === undefined) return { kind: "already_gone" };
  const expiry = held.expiries[key];
  const end = expiryOf(grant);
  const ours = held.attributes[key] === true && expiry !== undefined &&
    end !== null &&
    Math.abs(Date.parse(expiry) - end.getTime()) < SAME_EXPIRY_MS;
  if (ours) return { kind: await removeAttribute(tailscale, nodeId, key) };
  if (expiry === undefined) return { kind: "changed", until: null };
  const until = new Date(expiry);
  // Another expiry already past: Tailscale is removing it by itself.
  return until > now ? { kind: "changed", until } : { kind: "already_gone" };
}
