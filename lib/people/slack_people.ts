/**
 * Slack people as the app needs to know them: who they are, their email for
 * Tailscale, their time zone, looked up once per event.
 *
 * @module
 */
import { z } from "zod";
import { errorText } from "../text.ts";
import type { SlackClient } from "../context.ts";

/** A Slack user as the app needs to know them. */
export type SlackPerson = {
  id: string;
  name: string;
  email?: string;
  tz?: string;
  tzOffset?: number;
};

const SlackUserSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  real_name: z.string().optional(),
  deleted: z.boolean().optional(),
  is_bot: z.boolean().optional(),
  tz: z.string().optional(),
  tz_offset: z.number().optional(),
  profile: z.object({
    email: z.string().optional(),
    real_name: z.string().optional(),
    display_name: z.string().optional(),
  }).optional(),
});

/** Turns a `users.info` / `users.lookupByEmail` user into a person, or null for deleted users and bots. */
export function toPerson(user: unknown): SlackPerson | null {
  const parsed = SlackUserSchema.safeParse(user);
  if (!parsed.success || parsed.data.deleted || parsed.data.is_bot) {
    return null;
  }
  const u = parsed.data;
  return {
    id: u.id,
    name: u.profile?.real_name || u.real_name || u.profile?.display_name ||
      u.name || u.id,
    email: u.profile?.email?.toLowerCase(),
    tz: u.tz,
    tzOffset: u.tz_offset,
  };
}

/** Looks a user up by ID; null when Slack does not know them (or fails). */
export function lookupPerson(
  client: SlackClient,
  userId: string,
): Promise<SlackPerson | null> {
  // One event asks about the same people several times (the approver's
  // check, the grant's comment, the messages): one users.info each.
  let known = lookups.get(client);
  if (!known) lookups.set(client, known = new Map());
  let found = known.get(userId);
  if (!found) known.set(userId, found = fetchPerson(client, userId));
  return found;
}

/** People already looked up, per client (that is, per event). */
const lookups = new WeakMap<
  SlackClient,
  Map<string, Promise<SlackPerson | null>>
>();

async function fetchPerson(
  client: SlackClient,
  userId: string,
): Promise<SlackPerson | null> {
  try {
    const res = await client.users.info({ user: userId });
    return res.ok ? toPerson(res.user) : null;
  } catch (e) {
    console.warn(`users.info failed: ${errorText(e)}`);
    return null;
  }
}

/** "3:04 PM" in the person's own time zone, for choosing an approver. */
export function localTime(person: SlackPerson, now: Date): string {
  if (person.tz) {
    try {
      return new Intl.DateTimeFormat("en-US", {
        timeZone: person.tz,
        hour: "numeric",
        minute: "2-digit",
      }).format(now);
    } catch {
      // Unknown zone name: fall back to the offset below.
    }
  }
  const shifted = new Date(now.getTime() + (person.tzOffset ?? 0) * 1000);
  return new Intl.DateTimeFormat("en-US", {
    timeZone: "UTC",
    hour: "numeric",
    minute: "2-digit",
  }).format(shifted);
}
