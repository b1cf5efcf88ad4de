/**
 * Whether a device may carry a profile's grant: it must belong to the
 * tailnet (never a device shared in from another one), and unless the
 * profile allows any device, be the requester's own.
 *
 * @module
 */
import type { Profile } from "../config_schema.ts";
import { isOwnedBy } from "./options.ts";
import { deviceName, ownershipText } from "./text.ts";
import type { Device } from "../tailscale/mod.ts";

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
