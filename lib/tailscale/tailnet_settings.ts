/**
 * The tailnet's settings the app cares about: whether the policy file is
 * managed outside the admin console (GitOps, Terraform), where the app's
 * group edits would be overwritten by the next sync.
 *
 * @module
 */
import { z } from "zod";
import { TailscaleApiError, withScopes } from "./errors.ts";
import type { TailscaleHttp } from "./http.ts";

/** `aclsExternallyManagedOn` and its link, as `getTailnetSettings` says. */
export type TailnetSettings = {
  /** `null` in the answer reads as `false`, as Tailscale's Go client does. */
  aclsExternallyManagedOn: boolean;
  aclsExternalLink?: string;
};

const TailnetSettingsSchema = z.object({
  // Absent (not null): the client could read other settings but not this
  // one, for lack of policy_file:read.
  aclsExternallyManagedOn: z.boolean().nullish(),
  aclsExternalLink: z.string().nullish().transform((v) => v || undefined),
}).loose();

/**
 * `GET /tailnet/{tailnet}/settings`. The two `acls*` fields need
 * `policy_file:read` (spec: getTailnetSettings): an answer without them (a
 * client with `feature_settings:read` only) is a missing-scope error, never
 * "not externally managed".
 *
 * @example
 * ```ts
 * const { aclsExternallyManagedOn } = await getTailnetSettings(http);
 * ```
 */
export async function getTailnetSettings(
  http: TailscaleHttp,
): Promise<TailnetSettings> {
  const answer = await http.request(
    "reading the tailnet's settings",
    "GET",
    http.tailnetPath("/settings"),
    TailnetSettingsSchema,
  ).catch((e) => {
    throw withScopes(e, ["policy_file:read"]);
  });
  if (answer.aclsExternallyManagedOn === undefined) {
    throw new TailscaleApiError({
      operation: "reading the tailnet's settings",
      status: 200,
      kind: "scope",
      tailscaleMessage: "the answer has no aclsExternallyManagedOn",
      scopes: ["policy_file:read"],
    });
  }
  return {
    aclsExternallyManagedOn: answer.aclsExternallyManagedOn ?? false,
    ...(answer.aclsExternalLink
      ? { aclsExternalLink: answer.aclsExternalLink }
      : {}),
  };
}
