/**
 * How a Tailscale device reads in Slack.
 *
 * @module
 */
import type { Device } from "../tailscale/mod.ts";

const ADMIN_MACHINES = "https://login.tailscale.com/admin/machines";

/** The device's short name: its machine name, else the first DNS label. */
export function deviceName(device: Device): string {
  return device.hostname || device.name.split(".")[0] || device.nodeId;
}

/** The device's Tailscale IPv4 address, else its first address. */
export function primaryAddress(device: Device): string | undefined {
  return device.addresses.find((a) => !a.includes(":")) ?? device.addresses[0];
}

/** Whether a device is tagged (owned by the tailnet, not a person). */
export function isTagged(device: Device): boolean {
  return device.tags.length > 0;
}

/** Link to the device in Tailscale's admin console. */
export function adminConsoleUrl(device: Device): string {
  const address = primaryAddress(device);
  return address
    ? `${ADMIN_MACHINES}/${encodeURIComponent(address)}`
    : `${ADMIN_MACHINES}?q=${encodeURIComponent(device.nodeId)}`;
}

/** "tagged tag:prod, tag:db" or "owned by alice@example.com". */
export function ownershipText(device: Device): string {
  return isTagged(device)
    ? `tagged ${device.tags.join(", ")}`
    : `owned by ${device.user || "an unknown user"}`;
}

/** Escapes text for Slack mrkdwn (`&`, `<`, `>`). */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(
    ">",
    "&gt;",
  );
}

/** Cuts text to `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
