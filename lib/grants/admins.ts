/**
 * Tailnet admins: the people config.ts lists in `admins`, who see
 * everyone's access and may revoke it.
 *
 * @module
 */
import type { Config } from "../config_schema.ts";

/** Whether `email` is one of config.ts's admins. */
export function isAdmin(config: Config, email: string | undefined): boolean {
  return !!email && config.admins.includes(email.toLowerCase());
}
