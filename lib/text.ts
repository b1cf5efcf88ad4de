/**
 * Errors as sentences for people: the one place an unknown thrown value
 * becomes text for a log line or a Slack message. Errors the app raises
 * itself (`TailscaleApiError`, `PolicyFileError`, `ConfigError`) are
 * already written for people, so their message is used as it is.
 *
 * @module
 */

/**
 * The error's message, trimmed (Tailscale errors are already written for
 * people); anything thrown that is not an `Error` as its string form.
 *
 * @example
 * ```ts
 * try {
 *   await tailscale.getDevice(nodeId);
 * } catch (e) {
 *   console.error(`request ${id}: ${errorText(e)}`);
 * }
 * errorText(new Error("no such device ")); // "no such device"
 * errorText("timeout"); // "timeout"
 * ```
 */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message.trim() : String(e);
}
