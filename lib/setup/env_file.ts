/**
 * A `.env` file as `slack run` reads it: `KEY=VALUE` lines, for
 * `deno task doctor` and `deno task policy` on the admin's machine.
 *
 * @module
 */

/**
 * Reads `KEY=VALUE` lines: blank lines and `#` comments are skipped, an
 * `export ` prefix is allowed, and a value in matching single or double
 * quotes loses them. Lines without `=` are ignored.
 *
 * @example
 * ```ts
 * parseDotEnv('# Tailscale\nTAILSCALE_CLIENT_ID="k123"\n');
 * // { TAILSCALE_CLIENT_ID: "k123" }
 * ```
 */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const entry = raw.trim().replace(/^export\s+/, "");
    if (!entry || entry.startsWith("#")) continue;
    const at = entry.indexOf("=");
    if (at <= 0) continue;
    const key = entry.slice(0, at).trim();
    let value = entry.slice(at + 1).trim();
    const quote = value[0];
    if (
      value.length >= 2 && (quote === '"' || quote === "'") &&
      value.endsWith(quote)
    ) {
      value = value.slice(1, -1);
    }
    out[key] = value;
  }
  return out;
}

/**
 * The process environment over the `.env` file in the current directory
 * (when there is one): a variable set in the shell wins.
 *
 * @example
 * ```ts
 * const env = await environmentWithDotEnv();
 * env.TAILSCALE_CLIENT_ID;
 * ```
 */
export async function environmentWithDotEnv(): Promise<
  Record<string, string | undefined>
> {
  let file: Record<string, string> = {};
  try {
    file = parseDotEnv(await Deno.readTextFile(".env"));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return { ...file, ...Deno.env.toObject() };
}
