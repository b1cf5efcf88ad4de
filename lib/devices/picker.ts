/**
 * The request form's device picker: which devices a keystroke may offer
 * (the chosen profile decides whether other people's devices are), read
 * from the index or Tailscale, ranked into Slack's answer.
 *
 * @module
 */
import { type Config, findProfile, type Profile } from "../config_schema.ts";
import { loadDevices } from "./device_index.ts";
import { deviceErrorSuggestion, deviceSuggestions } from "./options.ts";
import type { DeviceSuggestions } from "./options.ts";
import { readFormState } from "../slack/mod.ts";
import type { TailscaleClient } from "../tailscale/mod.ts";
import { errorText } from "../text.ts";
import type { SlackClient } from "../context.ts";

/**
 * Whether the picker may offer only the requester's own devices, from the
 * form's `view.state`: yes unless the chosen profile allows any device. No
 * readable form state offers only the safe subset.
 */
export function ownDevicesOnly(state: unknown, config: Config): boolean {
  try {
    const chosen = readFormState(state).values.profile;
    const profile = chosen ? findProfile(config, chosen) : undefined;
    return !profile?.allowAnyDevice;
  } catch {
    return true;
  }
}

/** One keystroke in the picker. */
export type PickerQuery = {
  /** What the person typed. */
  value: string;
  /** The requester's email, if known. */
  email?: string;
  /** Offer only the requester's own devices. */
  ownOnly: boolean;
  /**
   * False (`DEVICE_PICKER_CACHE=off`): list from Tailscale on every
   * keystroke, as Tailscale's example accessbot does (a fallback and a
   * baseline).
   */
  useCache: boolean;
  /**
   * False (`DEVICE_PICKER_USER_FILTER=off`): a cold cache refreshes the
   * whole index first (the benchmark's baseline for the cold query).
   */
  userFilter: boolean;
  /** The profiles whose summaries a cold index's refresh caches along. */
  profiles?: readonly Profile[];
};

/**
 * The picker's answer to a keystroke: the matching devices, ranked, or one
 * option saying why there are none to offer. Never throws.
 *
 * @example
 * ```ts
 * return await pickerSuggestions(client, tailscale, {
 *   value: "lap", email: "ann@example.com", ownOnly: true,
 *   useCache: true, userFilter: true,
 * });
 * ```
 */
export async function pickerSuggestions(
  client: SlackClient,
  tailscale: TailscaleClient,
  query: PickerQuery,
): Promise<DeviceSuggestions> {
  const { value, email, ownOnly } = query;
  if (ownOnly && !email) {
    return deviceErrorSuggestion(
      "Your Slack profile has no email, so your devices cannot be found",
    );
  }
  try {
    const { devices } = await loadDevices(client, tailscale, {
      // Own devices only: one small read, whatever the tailnet's size.
      owner: ownOnly ? email : undefined,
      // Only rows that can match are decoded.
      containing: value,
      useCache: query.useCache,
      userFilter: query.userFilter,
      profiles: query.profiles,
    });
    return deviceSuggestions(devices, value, email, ownOnly);
  } catch (e) {
    console.error(`device picker: ${errorText(e)}`);
    return deviceErrorSuggestion(`Could not list devices: ${errorText(e)}`);
  }
}
