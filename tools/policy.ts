/**
 * Prints the tailnet policy that makes each profile in `config.ts` grant
 * something (`deno task policy`): postures, `attrConfig`, groups and example
 * grants to merge into the policy file, and the OAuth client's scopes.
 * Offline: it reads `config.ts` only, never the live policy.
 *
 * @example
 * ```sh
 * deno task policy > policy-snippet.hujson
 * ```
 *
 * @module
 */
import { config } from "../config.ts";
import { policySnippet } from "../lib/policy/mod.ts";

if (import.meta.main) {
  console.log(policySnippet(config).trimEnd());
}
