/**
 * Prints the app manifest as the Slack CLI's `get-manifest` hook sends it:
 * the default export of manifest.ts, without functions' `source_file`.
 */
import manifest from "../manifest.ts";

/** The manifest as the Slack API receives it. */
export function cleanManifest(raw: unknown): Record<string, unknown> {
  const copy = structuredClone(raw) as {
    functions?: Record<string, { source_file?: string }>;
  };
  for (const fn of Object.values(copy.functions ?? {})) delete fn.source_file;
  return copy as Record<string, unknown>;
}

if (import.meta.main) {
  console.log(JSON.stringify(cleanManifest(manifest), null, 2));
}
