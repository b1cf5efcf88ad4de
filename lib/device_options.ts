/**
 * The device picker's answer: which devices match what the person typed, in
 * which order, within Slack's option limits.
 *
 * @module
 */
import {
  deviceName,
  isTagged,
  primaryAddress,
  truncate,
} from "./device_text.ts";
import type { Device } from "./tailscale/mod.ts";

/** Slack allows at most 100 options in an external select's answer. */
export const MAX_OPTIONS = 100;
/** Slack's limit on option text. */
const MAX_OPTION_TEXT = 75;

type PlainText = { type: "plain_text"; text: string; emoji?: boolean };
/** A select option. */
export type Option = { text: PlainText; value: string };
/** A labelled group of options. */
export type OptionGroup = { label: PlainText; options: Option[] };
/** What a block_suggestion handler returns for the device picker. */
export type DeviceSuggestions = { option_groups: OptionGroup[] } | {
  options: Option[];
};

/**
 * How well a device matches the query on name, hostname, Tailscale IP and
 * node ID: 0 exact, 1 prefix, 2 substring (names only), null no match.
 */
export function matchScore(device: Device, query: string): number | null {
  const q = query.trim().toLowerCase();
  if (!q) return 0;
  const names = [
    device.hostname.toLowerCase(),
    device.name.toLowerCase(),
    device.name.split(".")[0].toLowerCase(),
  ];
  const ids = [
    device.nodeId.toLowerCase(),
    ...device.addresses.map((a) => a.toLowerCase()),
  ];
  const all = [...names, ...ids];
  if (all.some((v) => v === q)) return 0;
  if (all.some((v) => v.startsWith(q))) return 1;
  if (names.some((v) => v.includes(q))) return 2;
  return null;
}

/** Whether the device is the person's own (untagged and registered by them). */
export function isOwnedBy(device: Device, email: string | undefined): boolean {
  return !!email && !isTagged(device) &&
    device.user.toLowerCase() === email.toLowerCase();
}

/**
 * Ranks matching devices into "Your devices" (most recently seen first) and
 * "All devices" (by name), capped at {@linkcode MAX_OPTIONS} in total.
 */
export function deviceSuggestions(
  devices: readonly Device[],
  query: string,
  requesterEmail: string | undefined,
  ownOnly = false,
): DeviceSuggestions {
  const scored: { d: Device; score: number; own: boolean }[] = [];
  for (const d of devices) {
    const score = matchScore(d, query);
    if (score === null) continue;
    const own = isOwnedBy(d, requesterEmail);
    if (own || !ownOnly) scored.push({ d, score, own });
  }
  // Better matches first; own devices by recency, the rest by name.
  const own = scored.filter((x) => x.own).sort((a, b) =>
    a.score - b.score ||
    (b.d.lastSeen ?? "").localeCompare(a.d.lastSeen ?? "")
  ).map((x) => x.d);
  const others = scored.filter((x) => !x.own).sort((a, b) =>
    a.score - b.score || deviceName(a.d).localeCompare(deviceName(b.d))
  ).map((x) => x.d);
  if (ownOnly && own.length === 0) {
    return deviceErrorSuggestion(
      query.trim()
        ? "None of your own devices match; this access is for your devices only"
        : "You have no devices of your own in the tailnet",
    );
  }
  const ownShown = own.slice(0, MAX_OPTIONS);
  // With only own devices allowed, "Your devices" is the whole list.
  const othersShown = others.slice(0, MAX_OPTIONS - ownShown.length);
  const groups: OptionGroup[] = [];
  if (ownShown.length) groups.push(group("Your devices", ownShown));
  if (othersShown.length) {
    groups.push(
      group(ownShown.length ? "Other devices" : "All devices", othersShown),
    );
  }
  return groups.length ? { option_groups: groups } : { options: [] };
}

/** The option text for a device: name · IP · OS or tags. */
export function deviceOptionText(device: Device): string {
  const parts = [deviceName(device)];
  const address = primaryAddress(device);
  if (address) parts.push(address);
  parts.push(isTagged(device) ? device.tags.join(" ") : device.os);
  return truncate(parts.filter(Boolean).join(" · "), MAX_OPTION_TEXT);
}

function group(label: string, devices: Device[]): OptionGroup {
  return {
    label: { type: "plain_text", text: label },
    options: devices.map((d) => ({
      text: { type: "plain_text", text: deviceOptionText(d) },
      value: d.nodeId,
    })),
  };
}

/** A single unselectable-looking option explaining why there is no list. */
export const PICKER_ERROR_VALUE = "!error";

/** The picker's answer when devices cannot be listed. */
export function deviceErrorSuggestion(message: string): DeviceSuggestions {
  return {
    options: [{
      text: {
        type: "plain_text",
        text: truncate(`⚠️ ${message}`, MAX_OPTION_TEXT),
      },
      value: PICKER_ERROR_VALUE,
    }],
  };
}
