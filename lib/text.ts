/**
 * Errors as sentences for people.
 *
 * @module
 */

/** The error's message (Tailscale errors are already written for people). */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message.trim() : String(e);
}
