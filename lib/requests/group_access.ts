/**
 * A group profile's request checked with Tailscale at submission: the
 * group exists in the policy file, the requester's email resolves to a
 * Tailscale login, and that login's tailnet user is not suspended or
 * waiting for approval.
 *
 * @module
 */
import type { Config } from "../config_schema.ts";
import { loginStatusProblem, resolveLogin } from "../people/mod.ts";
import { missingGroupText, readGroup } from "../policy/mod.ts";
import type { TailscaleClient } from "../tailscale/mod.ts";
import { errorText } from "../text.ts";
import type { SlackClient } from "../context.ts";

/** The login a group grant adds, or why there is none to add. */
export type GroupAccess =
  | { ok: true; login: string }
  | { ok: false; problem: string };

/**
 * Whether a group profile can go ahead for the requester with `email`,
 * given what Tailscale said: the group must exist in the policy file
 * (reported, never created), and the email must have resolved to a
 * Tailscale `login`.
 *
 * @example
 * ```ts
 * groupAccess("group:oncall", "ann@example.com", "ann@corp", true);
 * // { ok: true, login: "ann@corp" }
 * ```
 */
export function groupAccess(
  group: string,
  email: string,
  login: string | null,
  groupExists: boolean,
): GroupAccess {
  if (!groupExists) return { ok: false, problem: missingGroupText(group) };
  if (login === null) {
    return {
      ok: false,
      problem:
        `No Tailscale user has the login ${email}, so the app does not know whom to add to \`${group}\`. If your Tailscale login is different, ask a tailnet admin to set it with the “Tailscale login overrides” shortcut.`,
    };
  }
  return { ok: true, login };
}

/**
 * The Tailscale login a group profile would add for the requester, or why
 * it cannot go ahead: no email in Slack, no login for it, or no such group
 * in the policy file.
 */
export async function checkGroupAccess(
  tailscale: TailscaleClient,
  client: SlackClient,
  config: Config,
  group: string,
  email: string | undefined,
): Promise<GroupAccess> {
  if (!email) {
    return {
      ok: false,
      problem:
        "Your Slack profile has no email, so your Tailscale login cannot be found. Ask a tailnet admin to set it with the “Tailscale login overrides” shortcut.",
    };
  }
  try {
    const [resolved, members] = await Promise.all([
      resolveLogin(client, tailscale, config, email),
      readGroup(tailscale, group),
    ]);
    const access = groupAccess(
      group,
      email,
      resolved?.login ?? null,
      members !== null,
    );
    if (!access.ok) return access;
    const status = await loginStatusProblem(
      tailscale,
      access.login,
      group,
      "Your",
    );
    return status ? { ok: false, problem: status } : access;
  } catch (e) {
    return {
      ok: false,
      problem: `Could not check your access with Tailscale: ${errorText(e)}`,
    };
  }
}
