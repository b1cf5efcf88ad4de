/**
 * What a grant is on: a posture attribute on one device, or a person's
 * membership in a policy-file group. Messages describe either the same way.
 *
 * @module
 */
import { adminConsoleUrl, deviceName, escapeMrkdwn } from "../devices/mod.ts";
import type { Device } from "../tailscale/mod.ts";

/** The device a posture attribute is set on, or the group a login joins. */
export type Target =
  | { kind: "device"; device: Device }
  | { kind: "group"; group: string; login: string };

/** `alice-laptop` linked to the admin console, or `group:prod` as `alice@…`. */
export function targetLink(target: Target): string {
  return target.kind === "device"
    ? `<${adminConsoleUrl(target.device)}|${
      escapeMrkdwn(deviceName(target.device))
    }>`
    : `\`${target.group}\` as \`${escapeMrkdwn(target.login)}\``;
}

/** Plain text for notification fallbacks: a device name or "group:prod (login)". */
export function targetName(target: Target): string {
  return target.kind === "device"
    ? deviceName(target.device)
    : `${target.group} (${target.login})`;
}
