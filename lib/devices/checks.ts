/**
 * Whether a device may carry a profile's grant: it must belong to the
 * tailnet (never a device shared in from another one), and unless the
 * profile allows any device, be the requester's own.
 *
 * @module
 */
import type { Profile } from "../config_schema.ts";
import { cachedDevice, invalidateDeviceIndex } from "./device_index.ts";
import { isOwnedBy } from "./options.ts";
import { deviceName, ownershipText } from "./text.ts";
import {
  type Device,
  TailscaleApiError,
  type TailscaleClient,
} from "../tailscale/mod.ts";
import { errorText } from "../text.ts";
import type { SlackClient } from "../context.ts";

/**
 * The sentence for a device shared in from another tailnet (`isExternal`):
 * its attributes belong to that tailnet, so the app never writes them.
 */
export function externalDeviceText(device: Device): string {
  return `${
    deviceName(device)
  } is shared into this tailnet from another tailnet, so access cannot be granted on it.`;
}

/**
 * Why `device` may not be used for `profile` by the person with
 * `requesterEmail`, or null when it may.
 */
export function deviceProblem(
  device: Device,
  profile: Profile,
  requesterEmail: string | undefined,
): string | null {
  if (device.isExternal) return `${externalDeviceText(device)} Choose another.`;
  if (profile.allowAnyDevice || isOwnedBy(device, requesterEmail)) return null;
  return `${deviceName(device)} is not your own device (${
    ownershipText(device)
  }); ${profile.description} is only for your own devices.`;
}

/** A device that may carry the grant, or why the chosen one may not. */
export type DeviceCheck = { ok: true; device: Device } | {
  ok: false;
  problem: string;
};

/**
 * The chosen device, or why it may not be used for the profile: it must
 * exist, and unless the profile allows any device, be the requester's own
 * (see {@linkcode deviceProblem}). The picker only helps; this is the
 * check that counts.
 *
 * @example
 * ```ts
 * const checked = await checkDevice(tailscale, client, profile, "nX1",
 *   "ann@example.com", true);
 * if (!checked.ok) return { errors: { device: checked.problem } };
 * ```
 */
export async function checkDevice(
  tailscale: TailscaleClient,
  client: SlackClient,
  profile: Profile,
  nodeId: string,
  requesterEmail: string | undefined,
  useCache: boolean,
): Promise<DeviceCheck> {
  try {
    const owner = profile.allowAnyDevice
      ? undefined
      : requesterEmail?.toLowerCase();
    // The index answers when it has the device (only among the person's
    // own, when that is all that is allowed); else one device is read.
    const device = (useCache && (owner || profile.allowAnyDevice)
      ? await cachedDevice(client, nodeId, owner)
      : null) ?? await tailscale.getDevice(nodeId);
    const problem = deviceProblem(device, profile, requesterEmail);
    return problem ? { ok: false, problem } : { ok: true, device };
  } catch (e) {
    if (e instanceof TailscaleApiError && e.kind === "not_found") {
      await invalidateDeviceIndex(client);
      return {
        ok: false,
        problem: "That device no longer exists in the tailnet. Choose another.",
      };
    }
    return {
      ok: false,
      problem: `Could not check the device with Tailscale: ${errorText(e)}`,
    };
  }
}
