/**
 * Slack people as the app needs to know them: who they are, their email for
 * Tailscale, their time zone, looked up once per event.
 *
 * @module
 */
import { z } from "zod";
import { errorText } from "../text.ts";
import type { SlackClient } from "../context.ts";

/**
 * What kind of Slack account someone is, as users.info says: a full
 * `member`, a `guest` (`is_restricted` or `is_ultra_restricted`), a `bot`
 * (`is_bot`, which apps' bot users are) or `deactivated` (`deleted`), the
 * first that applies from the last. `is_app_user` is not a kind: Slack's
 * user type describes it as "an authorized user of the calling app", a
 * person who may well request or approve.
 */
export type AccountKind =
  | "member"
  | "guest"
  | "bot"
  | "deactivated";

/** A Slack user as the app needs to know them. */
export type SlackPerson = {
  id: string;
  name: string;
  email?: string;
  tz?: string;
  tzOffset?: number;
  /** Absent where a person was made without users.info: a member. */
  kind?: AccountKind;
};

/** A Slack user with the kind of account they are always known. */
export type SlackAccount = SlackPerson & { kind: AccountKind };

const SlackUserSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  real_name: z.string().optional(),
  deleted: z.boolean().optional(),
  is_bot: z.boolean().optional(),
  is_restricted: z.boolean().optional(),
  is_ultra_restricted: z.boolean().optional(),
  tz: z.string().optional(),
  tz_offset: z.number().optional(),
  profile: z.object({
    email: z.string().optional(),
    real_name: z.string().optional(),
    display_name: z.string().optional(),
  }).optional(),
});

/** The kind of account a user object describes (see {@linkcode AccountKind}). */
function kindOf(u: z.output<typeof SlackUserSchema>): AccountKind {
  if (u.deleted) return "deactivated";
  if (u.is_bot) return "bot";
  if (u.is_restricted || u.is_ultra_restricted) return "guest";
  return "member";
}

/**
 * Turns a `users.info` / `users.lookupByEmail` user into an account of any
 * kind, or null when it is not shaped like one.
 *
 * @example
 * ```ts
 * toAccount({ id: "U1", is_restricted: true })?.kind; // "guest"
 * ```
 */
export function toAccount(user: unknown): SlackAccount | null {
  const parsed = SlackUserSchema.safeParse(user);
  if (!parsed.success) return null;
  const u = parsed.data;
  return {
    id: u.id,
    name: u.profile?.real_name || u.real_name || u.profile?.display_name ||
      u.name || u.id,
    email: u.profile?.email?.toLowerCase(),
    tz: u.tz,
    tzOffset: u.tz_offset,
    kind: kindOf(u),
  };
}

/** Turns a `users.info` / `users.lookupByEmail` user into a person, or null for deleted users and bots. */
export function toPerson(user: unknown): SlackAccount | null {
  return usable(toAccount(user));
}

/** The account unless it is deactivated or a bot (no person to deal with). */
function usable(account: SlackAccount | null): SlackAccount | null {
  return account && account.kind !== "deactivated" && account.kind !== "bot"
    ? account
    : null;
}

/** Looks a user up by ID; null when Slack does not know them (or fails). */
export async function lookupPerson(
  client: SlackClient,
  userId: string,
): Promise<SlackAccount | null> {
  return usable(await lookupAccount(client, userId));
}

/**
 * Looks a user up by ID whatever their account (deactivated and bots
 * included, to say why they cannot take part); null when Slack does not
 * know them (or fails).
 */
export function lookupAccount(
  client: SlackClient,
  userId: string,
): Promise<SlackAccount | null> {
  // One event asks about the same people several times (the approver's
  // check, the grant's comment, the messages): one users.info each.
  let known = lookups.get(client);
  if (!known) lookups.set(client, known = new Map());
  let found = known.get(userId);
  if (!found) known.set(userId, found = fetchAccount(client, userId));
  return found;
}

/** People already looked up, per client (that is, per event). */
const lookups = new WeakMap<
  SlackClient,
  Map<string, Promise<SlackAccount | null>>
>();

async function fetchAccount(
  client: SlackClient,
  userId: string,
): Promise<SlackAccount | null> {
  try {
    const res = await client.users.info({ user: userId });
    return res.ok ? toAccount(res.user) : null;
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
