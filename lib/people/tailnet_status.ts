/**
 * Whether a Tailscale login may be added to a group: its tailnet user's
 * `status` (users list) must not be `suspended`, `needs-approval` or
 * `over-billing-limit`, which Tailscale would not let connect anyway.
 * Checked at submission and again just before the grant is written.
 *
 * @module
 */
import type { TailscaleClient } from "../tailscale/mod.ts";

/** The statuses refused, each with what a tailnet admin must do. */
const REFUSED_STATUS: Record<string, string> = {
  "suspended": "is suspended; a tailnet admin must restore it",
  "needs-approval":
    "needs approval (status needs-approval); a tailnet admin must approve it",
  "over-billing-limit":
    "is over the tailnet's billing limit (status over-billing-limit); a tailnet admin must raise the limit or free a seat",
};

/**
 * Why the tailnet user `login` cannot be given access for their `status`,
 * said to the requester (`whose` "Your") or about them (`whose` "The"), or
 * null. An unknown status or a login not listed is no reason.
 *
 * @example
 * ```ts
 * loginStatusText("ann@corp", "suspended", "group:prod", "Your");
 * // "Your Tailscale account `ann@corp` is suspended; a tailnet admin must restore it before it can be added to `group:prod`."
 * ```
 */
export function loginStatusText(
  login: string,
  status: string | undefined,
  group: string,
  whose: "Your" | "The",
): string | null {
  const why = status ? REFUSED_STATUS[status] : undefined;
  return why
    ? `${whose} Tailscale account \`${login}\` ${why} before it can be added to \`${group}\`.`
    : null;
}

/**
 * {@linkcode loginStatusText} for `login` as the tailnet's users list says
 * now (compared case-insensitively, as Tailscale does).
 *
 * @throws when Tailscale cannot list its users.
 */
export async function loginStatusProblem(
  tailscale: TailscaleClient,
  login: string,
  group: string,
  whose: "Your" | "The",
): Promise<string | null> {
  const key = login.toLowerCase();
  const user = (await tailscale.listUsers()).find((u) =>
    u.loginName.toLowerCase() === key
  );
  return loginStatusText(login, user?.status, group, whose);
}
