/**
 * Asking Tailscale itself what the live policy does: ACL tests run against
 * the current policy file (`acl/validate` with a JSON array) and the rules
 * that match a user or an address (`acl/preview`). Both only read: neither
 * changes the policy. Each needs `policy_file:read`.
 *
 * @module
 */
import { z } from "zod";
import { parseAnswer } from "./answers.ts";
import { withScopes } from "./errors.ts";
import type { TailscaleHttp } from "./http.ts";
import { type PolicyValidation, validationOf } from "./policy_file.ts";
import { PolicyValidationSchema } from "./schemas.ts";

const READ_SCOPES: readonly string[] = ["policy_file:read"];

/**
 * One ACL test as the validate endpoint takes it (spec:
 * validateAndTestPolicyFile): from `src` (a login, group, tag or host),
 * optionally as a device with `srcPostureAttrs`, each `host:port` in
 * `accept` must be reachable and each in `deny` must not.
 */
export type PolicyTest = {
  src: string;
  srcPostureAttrs?: Record<string, string | number | boolean>;
  /** Omitted: the test checks TCP or UDP. */
  proto?: string;
  accept?: string[];
  deny?: string[];
};

/** One rule `acl/preview` found: its sources, destinations and line. */
export type RuleMatch = {
  users: string[];
  ports: string[];
  lineNumber: number;
};

const PreviewSchema = z.object({
  matches: z.array(z.object({
    users: z.array(z.string()).nullish().transform((v) => v ?? []),
    ports: z.array(z.string()).nullish().transform((v) => v ?? []),
    lineNumber: z.number(),
  })).nullish().transform((v) => v ?? []),
});

/**
 * `POST /tailnet/{tailnet}/acl/validate` with a JSON array of tests, run
 * against the tailnet's current policy file. A failing test is an error
 * line ("user: address … want: Accept, got: Drop"); an empty answer is a
 * pass.
 *
 * @example
 * ```ts
 * const { errors } = await runPolicyTests(http, [{
 *   src: "alice@example.com",
 *   srcPostureAttrs: { "custom:prodAccess": true },
 *   accept: ["tag:prod:22"],
 * }]);
 * ```
 */
export async function runPolicyTests(
  http: TailscaleHttp,
  tests: readonly PolicyTest[],
): Promise<PolicyValidation> {
  const answer = await http.call(
    "running ACL tests against the tailnet policy file",
    "POST",
    http.tailnetPath("/acl/validate"),
    (res, operation) => parseAnswer(operation, res, PolicyValidationSchema),
    { json: tests },
  ).catch((e) => {
    throw withScopes(e, READ_SCOPES);
  });
  return validationOf(answer);
}

/**
 * `POST /tailnet/{tailnet}/acl/preview?type=…&previewFor=…` with the
 * HuJSON policy `policyText`: the rules that apply to a user (`type:
 * "user"`, a login) or to an address (`type: "ipport"`, `ip:port`), each
 * with its line in that text.
 *
 * @example
 * ```ts
 * const rules = await previewRuleMatches(http, text, {
 *   type: "user",
 *   previewFor: "alice@example.com",
 * });
 * ```
 */
export async function previewRuleMatches(
  http: TailscaleHttp,
  policyText: string,
  query: { type: "user" | "ipport"; previewFor: string },
): Promise<RuleMatch[]> {
  const search = new URLSearchParams(query);
  const answer = await http.call(
    "previewing the policy rules that match",
    "POST",
    http.tailnetPath(`/acl/preview?${search}`),
    (res, operation) => parseAnswer(operation, res, PreviewSchema),
    { hujson: policyText },
  ).catch((e) => {
    throw withScopes(e, READ_SCOPES);
  });
  return answer.matches;
}
