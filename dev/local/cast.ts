/**
 * Who and what `deno task local` plays: the demo workspace (with a person
 * for every approver email config.ts names), the requester and the device
 * profile the command line asks for.
 *
 * @module
 */
import { config, rawConfig } from "../../config.ts";
import {
  type ConfigInput,
  parseConfig,
  type Profile,
} from "../../lib/config_schema.ts";
import type { FakeSlackUser } from "../emulator/slack.ts";
import { slackPeople } from "../emulator/slack_people.ts";

/** The demo workspace plus a person for every email config.ts names. */
export function workspaceFor(profiles: readonly Profile[]): FakeSlackUser[] {
  const users = slackPeople();
  const known = new Set(users.map((u) => u.email).filter(Boolean));
  let n = 0;
  for (const email of profiles.flatMap((p) => p.approverEmails ?? [])) {
    if (known.has(email)) continue;
    known.add(email);
    const name = email.split("@")[0];
    users.push({
      id: `U0CFG${String(++n).padStart(4, "0")}`,
      name,
      real_name: name.replace(/[._-]+/g, " ").replace(
        /\b\w/g,
        (c) => c.toUpperCase(),
      ),
      email,
      tz: "UTC",
      tz_label: "Coordinated Universal Time",
      tz_offset: 0,
    });
  }
  return users;
}

/** A device profile: one that sets a custom attribute. */
export type DeviceProfile = Profile & { attribute: string };

/** The device profile named `name` (description, key or a unique prefix), or the first. */
export function pickProfile(
  name: string | undefined,
  profiles: readonly Profile[] = config.profiles,
): DeviceProfile {
  const devices = profiles.filter((p): p is DeviceProfile =>
    p.attribute !== undefined
  );
  if (!name) return devices[0];
  const wanted = name.toLowerCase();
  const exact = devices.find((p) =>
    p.description.toLowerCase() === wanted ||
    p.key.toLowerCase() === wanted
  );
  const prefixed = devices.filter((p) =>
    p.description.toLowerCase().startsWith(wanted)
  );
  const found = exact ?? (prefixed.length === 1 ? prefixed[0] : undefined);
  if (!found) {
    throw new Error(
      `no profile "${name}" in config.ts (profiles: ${
        devices.map((p) => `"${p.description}"`).join(", ")
      })`,
    );
  }
  return found;
}

/** The person `who` names (a demo name or an email). */
export function pickRequester(
  users: FakeSlackUser[],
  who: string,
): FakeSlackUser {
  const w = who.toLowerCase();
  const found = users.find((u) =>
    !u.deleted && (u.name === w || u.email?.toLowerCase() === w)
  );
  if (!found) {
    throw new Error(
      `no person "${who}" in the demo workspace (try ${
        users.filter((u) => !u.deleted && u.email).map((u) => u.name).join(", ")
      })`,
    );
  }
  return found;
}

/**
 * The group profile the group story plays when config.ts has none: bob or
 * carol approves membership in `group:prod`, which the emulator's demo
 * policy file has.
 */
export const DEMO_GROUP_PROFILE = {
  description: "Production group",
  group: "group:prod",
  maxSeconds: 4 * 3600,
  approverEmails: ["bob@example.com", "carol@example.com"],
};

/** The profiles a story runs with, and whether a demo one was added. */
export type Casting = {
  /** The profiles to swap in (`undefined`: config.ts's, unchanged). */
  swapIn?: ConfigInput["profiles"];
  profiles: Profile[];
  profile: Profile;
  /** A demo profile (or option) was swapped in: config.ts has none. */
  demo: boolean;
  /** The options laid over config.ts's profile for the run, if any. */
  added?: Partial<RawProfile>;
};

/** The notify channel of the emulators' demo workspace ("access-log"). */
export const DEMO_CHANNEL = "C0NOTIFY01";

/** A profile as written in config.ts. */
export type RawProfile = ConfigInput["profiles"][number];

/**
 * config.ts's first device profile that `fits`; without one, config.ts's
 * first device profile with `adds(profile)` laid over it, swapped in for
 * the run (config.ts is not changed). `adds` says what the run added.
 */
export function castPolicy(
  fits: (p: Profile) => boolean,
  adds: (p: RawProfile) => Partial<RawProfile>,
): Casting {
  const own = config.profiles.find((p) => p.attribute !== undefined && fits(p));
  if (own) {
    return { profiles: config.profiles, profile: own, demo: false, added: {} };
  }
  const at = rawConfig.profiles.findIndex((p) => p.attribute !== undefined);
  const added = adds(rawConfig.profiles[at]);
  const swapIn = rawConfig.profiles.map((p, i) =>
    i === at ? { ...p, ...added } : p
  );
  const { profiles } = parseConfig({ ...rawConfig, profiles: swapIn });
  return { swapIn, profiles, profile: profiles[at], demo: true, added };
}

/**
 * config.ts's first group profile; without one, config.ts's profiles plus
 * {@linkcode DEMO_GROUP_PROFILE}, to be swapped in.
 */
export function castGroupProfile(): Casting {
  const own = config.profiles.find((p) => p.group !== undefined);
  if (own) return { profiles: config.profiles, profile: own, demo: false };
  const swapIn = [...rawConfig.profiles, DEMO_GROUP_PROFILE];
  const { profiles } = parseConfig({ ...rawConfig, profiles: swapIn });
  return { swapIn, profiles, profile: profiles.at(-1)!, demo: true };
}
