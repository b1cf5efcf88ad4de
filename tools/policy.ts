/**
 * Prints the tailnet policy that makes each profile in `config.ts` grant
 * something (`deno task policy`): postures, `attrConfig`, groups and example
 * grants to merge into the policy file, and the OAuth client's scopes.
 *
 * With TAILSCALE_CLIENT_ID and TAILSCALE_CLIENT_SECRET (environment or
 * `.env`) it reads the live policy and prints only what is missing: the
 * pieces of the profiles the policy does not serve yet, under a comment
 * saying so. Without them it prints the whole snippet, from config.ts alone.
 * It never writes the policy.
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
import {
  checksClient,
  environmentWithDotEnv,
  missingPolicy,
} from "../lib/setup/mod.ts";
import { errorText } from "../lib/text.ts";

/** The text to print, and the exit status. */
async function snippet(
  env: Record<string, string | undefined>,
): Promise<{ text: string; status: number }> {
  const read = checksClient(env);
  if (!read.ok) return { text: policySnippet(config), status: 0 };
  try {
    const { text } = await read.client.getPolicyFile();
    const source =
      `tailnet "${read.settings.tailnet}" at ${read.settings.baseUrl}`;
    return { text: missingPolicy(config, text, source).text, status: 0 };
  } catch (e) {
    console.error(
      `Could not read the live policy (${errorText(e)}); the whole ` +
        `snippet follows.`,
    );
    return { text: policySnippet(config), status: 1 };
  }
}

if (import.meta.main) {
  const { text, status } = await snippet(await environmentWithDotEnv());
  console.log(text.trimEnd());
  Deno.exit(status);
}
