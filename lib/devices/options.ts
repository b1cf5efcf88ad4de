/**
 * The device picker's answer: which devices match what the person typed, in
 * which order, within Slack's option limits.
 *
 * @module
 */
import { deviceName, isTagged, primaryAddress, truncate } from "./text.ts";
import type { Device } from "../tailscale/mod.ts";

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
  return score(device, query.trim().toLowerCase());
}

/** {@linkcode matchScore} for a query already trimmed and lower-cased. */
function score(device: Device, q: string): number | null {
  if (!q) return 0;
  // Runs for every device on every keystroke: no intermediate arrays.
  const hostname = device.hostname.toLowerCase();
  const name = device.name.toLowerCase();
  const dot = name.indexOf(".");
  const label = dot < 0 ? name : name.slice(0, dot);
  const nodeId = device.nodeId.toLowerCase();
  if (hostname === q || name === q || label === q || nodeId === q) return 0;
  let prefix = hostname.startsWith(q) || name.startsWith(q) ||
    nodeId.startsWith(q);
  for (const a of device.addresses) {
    const v = a.toLowerCase();
    if (v === q) return 0;
    if (v.startsWith(q)) prefix = true;
  }
  if (prefix) return 1;
  return hostname.includes(q) || name.includes(q) ? 2 : null;
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
  const q = query.trim().toLowerCase();
  const email = requesterEmail?.toLowerCase();
  const mine: { d: Device; score: number }[] = [];
  // Only the best MAX_OPTIONS others can be shown: keep just those, in
  // order, instead of sorting a 20,000-device tailnet on every keystroke.
  const best: Ranked[] = [];
  for (const d of devices) {
    const s = score(d, q);
    if (s === null) continue;
    if (email && !isTagged(d) && d.user.toLowerCase() === email) {
      mine.push({ d, score: s });
    } else if (!ownOnly) {
      keepBest(best, { d, score: s, key: deviceName(d).toLowerCase() });
    }
  }
  // Better matches first; own devices by recency, the rest by name.
  const own = mine.sort((a, b) => a.score - b.score || byRecency(a.d, b.d))
    .map((x) => x.d);
  const others = best.map((x) => x.d);
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

/**
 * Online devices first (Tailscale omits `lastSeen` while a device is
 * connected), then the most recently seen; never-seen devices last.
 */
export function byRecency(a: Device, b: Device): number {
  return Number(b.connectedToControl) - Number(a.connectedToControl) ||
    (b.lastSeen ?? "").localeCompare(a.lastSeen ?? "");
}

type Ranked = { d: Device; score: number; key: string };

/** Plain code-unit order on lower-cased names: fast, and names are ASCII. */
function before(a: Ranked, b: Ranked): boolean {
  return a.score < b.score || (a.score === b.score && a.key < b.key);
}

/** Inserts `r` into the sorted `best` if it ranks within MAX_OPTIONS. */
function keepBest(best: Ranked[], r: Ranked): void {
  if (best.length === MAX_OPTIONS && !before(r, best[MAX_OPTIONS - 1])) {
    return;
  }
  let lo = 0;
  let hi = best.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(r, best[mid])) hi = mid;
    else lo = mid + 1;
  }
  best.splice(lo, 0, r);
  if (best.length > MAX_OPTIONS) best.pop();
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
