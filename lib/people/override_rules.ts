/**
 * The rules for an admin's change to a login override: whom it is for (a
 * Slack person with an email), what login (shaped like one, and a tailnet
 * user's), and what saving it does. Messages are written for the admin.
 *
 * @module
 */
import { LoginOverrides, tailnetLogin } from "./logins.ts";
import { lookupPerson, type SlackPerson } from "./slack_people.ts";
import { errorText } from "../text.ts";
import type { ClientResult } from "../tailscale/mod.ts";
import type { SlackClient } from "../context.ts";

/** Longest login the form accepts (Tailscale logins are emails or similar). */
export const MAX_LOGIN_LENGTH = 254;

/** What a Tailscale login looks like: `name@domain`, no spaces. */
const LOGIN_PATTERN = /^[^\s@]+@[^\s@]+$/;

/** The answer to anyone but an admin who sends the form. */
export const NOT_ADMIN_TEXT =
  "Only the admins listed in config.ts can change Tailscale logins.";

/**
 * The email (lower-cased) of `person`, the user chosen in the form, looked
 * up; or why they cannot be given a login.
 */
export function overrideEmail(
  person: SlackPerson | null,
): { ok: true; email: string } | { ok: false; problem: string } {
  if (!person) {
    return {
      ok: false,
      problem:
        "Slack could not find that person (or it is a bot or a deactivated account).",
    };
  }
  if (!person.email) {
    return {
      ok: false,
      problem:
        `${person.name} has no email address in Slack, so they cannot be given a Tailscale login here.`,
    };
  }
  return { ok: true, email: person.email.toLowerCase() };
}

/** Why a typed login (trimmed, lower-cased) is not shaped like one, or null. */
export function loginFormatProblem(login: string): string | null {
  return login.length > MAX_LOGIN_LENGTH || !LOGIN_PATTERN.test(login)
    ? "Enter a Tailscale login such as name@example.com (or leave it empty to clear the override)."
    : null;
}

/**
 * Why `login` cannot be used (no tailnet user has it, or Tailscale could
 * not be asked), or null when a tailnet user has it.
 */
export async function tailnetLoginProblem(
  tailscale: ClientResult,
  login: string,
): Promise<string | null> {
  if (!tailscale.ok) {
    return `Tailscale is not set up: ${
      tailscale.missing.join(" and ")
    } not set.`;
  }
  try {
    return await tailnetLogin(tailscale.tailscale, login)
      ? null
      : `No Tailscale user has the login ${login}.`;
  } catch (e) {
    return errorText(e);
  }
}

/** A valid change: set `login` for `email`, or clear it when `login` is "". */
export type OverrideChange = { email: string; login: string };

/** A change that may be saved, or the form field to say why not on. */
export type OverrideCheck =
  | { ok: true; change: OverrideChange }
  | { ok: false; field: "user" | "login"; problem: string };

/**
 * Checks the admin's form: the chosen user (`userId`, null when none) must
 * be a Slack person with an email; a typed `login` (lower-cased; empty
 * clears) must look like one and belong to a tailnet user. The caller
 * checks that the sender is an admin.
 *
 * @example
 * ```ts
 * const checked = await checkOverride(client, tailscale, "U123", "ann@corp");
 * if (!checked.ok) return fail(LOGIN_FIELD[checked.field], checked.problem);
 * ```
 */
export async function checkOverride(
  client: SlackClient,
  tailscale: ClientResult,
  userId: string | null,
  login: string,
): Promise<OverrideCheck> {
  if (!userId) {
    return { ok: false, field: "user", problem: "Choose a Slack user." };
  }
  const person = overrideEmail(await lookupPerson(client, userId));
  if (!person.ok) return { ok: false, field: "user", problem: person.problem };
  const { email } = person;
  if (login) {
    const problem = loginFormatProblem(login) ??
      await tailnetLoginProblem(tailscale, login);
    if (problem) return { ok: false, field: "login", problem };
  }
  return { ok: true, change: { email, login } };
}

/** What saving a change did. */
export type OverrideSaved =
  | { kind: "set"; email: string; login: string }
  | { kind: "cleared"; email: string; existed: boolean };

/**
 * Saves a checked change, recording who set it and when.
 *
 * @throws {LoginStoreError} when the datastore read or write fails.
 */
export async function saveOverride(
  client: SlackClient,
  change: OverrideChange,
  setBy: string,
  now = new Date(),
): Promise<OverrideSaved> {
  const store = new LoginOverrides(client);
  const { email, login } = change;
  if (login) {
    await store.set({ email, login, set_by: setBy, set_at: now.toISOString() });
    return { kind: "set", email, login };
  }
  const existed = (await store.get(email)) !== null;
  if (existed) await store.clear(email);
  return { kind: "cleared", email, existed };
}
