/**
 * `deno task local`: the whole app on this machine, no Slack workspace or
 * tailnet needed. Starts the Slack and Tailscale emulators, plays a story
 * with the repository's own config.ts (by default a request → decision →
 * grant; `--help` lists the others), and prints what each person saw.
 * Exits 0 only when the story's outcome is right.
 *
 * `local/stories.ts` picks the app each story needs and plays it: the
 * request (`local/request.ts`, with the scenes of `local/scenes.ts` and the
 * verdict of `local/outcome.ts`), a group profile (`local/group.ts`), a
 * grant's lifecycle (`local/lifecycle.ts`), the setup checks
 * (`local/doctor.ts`) and the approval policies (`local/break_glass.ts`,
 * `local/later.ts`, `local/two_person.ts`, `local/escalation.ts`, on the
 * profiles of `local/policies.ts`); `local/cast.ts` picks who plays and
 * `local/options.ts` reads the command line.
 *
 * @module
 */
import { type AppOptions, startApp, type TestApp } from "./app.ts";
import type { FakeSlackUser } from "./emulator/slack.ts";
import { type LocalOptions, parseArgs, USAGE } from "./local/options.ts";
import { playStory, type StorySetup, storySetup } from "./local/stories.ts";
import type { Transcript } from "./local/stage.ts";
import { makeStyle, type Style } from "./render.ts";
import { serve } from "./serve.ts";

export { workspaceFor } from "./local/cast.ts";
export {
  type LocalOptions,
  parseArgs,
  parseDuration,
  STORIES,
  type Story,
} from "./local/options.ts";
export { playStory, type StorySetup, storySetup } from "./local/stories.ts";
export type { Transcript } from "./local/stage.ts";

/**
 * Plays the request story (config.ts's profile chosen by `opts.profile`)
 * and returns the transcript.
 *
 * @example
 * ```ts
 * const users = workspaceFor(config.profiles);
 * const app = await startApp({ slack: { users } });
 * const opts = parseArgs([]) as LocalOptions;
 * const transcript = await play(app, users, opts, makeStyle(false));
 * transcript.ok; // true when the grant is exactly what was decided
 * ```
 */
export function play(
  app: TestApp,
  users: FakeSlackUser[],
  opts: LocalOptions,
  style: Style,
): Promise<Transcript> {
  const setup = storySetup("request", opts.profile);
  return playStory(
    app,
    { ...setup, users },
    { ...opts, story: undefined },
    style,
  );
}

/** Prints a transcript for people. */
export function printTranscript(t: Transcript, style: Style) {
  t.sections.forEach((s, i) => {
    console.log(`\n${style.bold(`${i + 1}.`)} ${s.title}`);
    for (const line of s.lines) console.log(line);
  });
  console.log(
    `\n${
      t.ok ? style.green("✔ Result:") : style.red("✘ Result:")
    } ${t.verdict}`,
  );
}

/** Prints the transcript (or its JSON) and returns the exit code. */
function report(t: Transcript, opts: LocalOptions, style: Style): number {
  if (opts.json) {
    console.log(
      JSON.stringify({ ok: t.ok, verdict: t.verdict, ...t.data }, null, 2),
    );
  } else {
    printTranscript(t, style);
  }
  return t.ok ? 0 : 1;
}

async function main(args: string[]): Promise<number> {
  let opts: LocalOptions | "help";
  let setup: StorySetup;
  try {
    opts = parseArgs(args);
    if (opts === "help") {
      console.log(USAGE);
      return 0;
    }
    setup = storySetup(opts.story, opts.profile);
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const color = !opts.json && Deno.stdout.isTerminal() &&
    !Deno.env.get("NO_COLOR");
  const style = makeStyle(color);
  const appOpts: AppOptions = setup.app;
  if (opts.serve) return await serve(appOpts, style);
  const app = await startApp(appOpts);
  try {
    return report(await playStory(app, setup, opts, style), opts, style);
  } catch (e) {
    console.error(style.red(`✘ ${(e as Error).message}`));
    if (app.output.some((o) => o.trim())) {
      console.error(
        style.dim(`\nThe app's own output:\n${app.output.join("")}`),
      );
    }
    return 1;
  } finally {
    await app.close();
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
