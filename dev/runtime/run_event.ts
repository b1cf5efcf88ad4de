/**
 * Runs one Slack event in this (fresh) process, as `slack run`'s start hook
 * does: payload on stdin, function module found through the manifest's
 * `source_file`, answer written to stdout after a marker line. The app's own
 * console output goes to stderr so it cannot be mistaken for the answer.
 *
 * With a bundle directory (`deno task bundle`'s output), the function is
 * `<bundle-dir>/functions/<callback_id>.js`, found through
 * `<bundle-dir>/manifest.json`, as Slack's hosted runtime loads it; the
 * import map then serves only this runner (dispatch.ts's SDK import).
 *
 * Usage: deno run --import-map=… run_event.ts <app-dir> [<bundle-dir>]  < payload.json
 */
import {
  callbackIdOf,
  dispatchPayload,
  type FunctionModule,
} from "./dispatch.ts";

/** Marks the start of the answer on stdout. */
export const ANSWER_MARKER = "---- runtime answer ----";
/** How far the emulator's clock is ahead of the real one, in ms. */
export const CLOCK_OFFSET_VARIABLE = "EMULATOR_CLOCK_OFFSET_MS";

/**
 * Moves this process's wall clock (Date) forward, so the app sees the time
 * the emulator's Slack and Tailscale see. Timers are not affected.
 */
function shiftClock(offsetMs: number): void {
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    // deno-lint-ignore no-explicit-any
    constructor(...args: any[]) {
      // @ts-ignore: forwards whatever Date accepts
      super(...(args.length ? args : [RealDate.now() + offsetMs]));
    }
    static override now(): number {
      return RealDate.now() + offsetMs;
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
}

if (import.meta.main) {
  const offset = Number(Deno.env.get(CLOCK_OFFSET_VARIABLE) ?? 0);
  if (offset) shiftClock(offset);
  const [appDir, bundleDir] = Deno.args;
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  const input = await new Response(Deno.stdin.readable).text();
  const payload = JSON.parse(input);
  const manifest = bundleDir
    ? JSON.parse(await Deno.readTextFile(`${bundleDir}/manifest.json`))
    : (await import(`file://${appDir}/manifest.ts`)).default;
  const callbackId = callbackIdOf(payload);
  const fn = manifest.functions?.[callbackId];
  if (!fn) throw new Error(`no function "${callbackId}" in the manifest`);
  const module: FunctionModule = await import(
    bundleDir
      ? `file://${bundleDir}/functions/${callbackId}.js`
      : `file://${appDir}/${fn.source_file}`
  );
  const answer = await dispatchPayload(payload, module);
  await Deno.stdout.write(
    new TextEncoder().encode(`\n${ANSWER_MARKER}\n${JSON.stringify(answer)}\n`),
  );
}
