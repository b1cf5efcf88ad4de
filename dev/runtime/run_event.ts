/**
 * Runs one Slack event in this (fresh) process, as `slack run`'s start hook
 * does: payload on stdin, function module found through the manifest's
 * `source_file`, answer written to stdout after a marker line. The app's own
 * console output goes to stderr so it cannot be mistaken for the answer.
 *
 * Usage: deno run --import-map=… run_event.ts <app-dir>  < payload.json
 */
import {
  callbackIdOf,
  dispatchPayload,
  type FunctionModule,
} from "./dispatch.ts";

/** Marks the start of the answer on stdout. */
export const ANSWER_MARKER = "---- runtime answer ----";

if (import.meta.main) {
  const appDir = Deno.args[0];
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  const input = await new Response(Deno.stdin.readable).text();
  const payload = JSON.parse(input);
  const manifest = (await import(`file://${appDir}/manifest.ts`)).default;
  const callbackId = callbackIdOf(payload);
  const fn = manifest.functions?.[callbackId];
  if (!fn) throw new Error(`no function "${callbackId}" in the manifest`);
  const module: FunctionModule = await import(
    `file://${appDir}/${fn.source_file}`
  );
  const answer = await dispatchPayload(payload, module);
  await Deno.stdout.write(
    new TextEncoder().encode(`\n${ANSWER_MARKER}\n${JSON.stringify(answer)}\n`),
  );
}
