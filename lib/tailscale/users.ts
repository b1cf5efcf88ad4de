/**
 * The tailnet's users, for mapping a Slack email to a Tailscale login.
 *
 * @module
 */
import { TailscaleApiError, withScopes } from "./errors.ts";
import type { TailscaleHttp } from "./http.ts";
import { type TailnetUser, UserListSchema } from "./schemas.ts";

/**
 * `GET /tailnet/{tailnet}/users`. Its 404 means an unknown tailnet or a
 * client without `users:read` alike, so it is reported as that scope.
 *
 * @example
 * ```ts
 * const logins = (await listUsers(http)).map((u) => u.loginName);
 * ```
 */
export async function listUsers(http: TailscaleHttp): Promise<TailnetUser[]> {
  const body = await http.request(
    "listing the tailnet's users",
    "GET",
    http.tailnetPath("/users"),
    UserListSchema,
  ).catch((e) => {
    if (e instanceof TailscaleApiError && e.kind === "not_found") {
      throw e.asMissingScope(["users:read"]);
    }
    throw withScopes(e, ["users:read"]);
  });
  return body.users;
}
