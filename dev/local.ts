/**
 * `deno task local`: the whole app on this machine, no Slack workspace or
 * tailnet needed. Starts the Slack and Tailscale emulators, plays a request →
 * decision → grant with the repository's own config.ts, and prints what each
 * person saw. Exits 0 only when the outcome is exactly what was decided.
 *
 * {@linkcode play} tells the story scene by scene: `local/scenes.ts` (the
 * form, the decision), `local/outcome.ts` (what Tailscale was asked, the
 * messages, the verdict); `local/cast.ts` picks who plays and
 * `local/options.ts` reads the command line.
 *
 * @module
 */
import { config } from "../config.ts";
import { type AppOptions, startApp, type TestApp } from "./app.ts";
import type { FakeSlackUser } from "./emulator/slack.ts";
import { pickProfile, pickRequester, workspaceFor } from "./local/cast.ts";
import { type LocalOptions, parseArgs, USAGE } from "./local/options.ts";
import { judge, showMessages, showTailscale } from "./local/outcome.ts";
import { decide, fillInTheForm, openTheForm } from "./local/scenes.ts";
import { type Stage, Stopped, type Transcript } from "./local/stage.ts";
import { makeStyle, type Style } from "./render.ts";
import { serve } from "./serve.ts";

export { workspaceFor } from "./local/cast.ts";
export {
  type LocalOptions,
  parseArgs,
  parseDuration,
} from "./local/options.ts";
export type { Transcript } from "./local/stage.ts";

/**
 * Plays the flow and returns the transcript.
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
export async function play(
  app: TestApp,
  users: FakeSlackUser[],
  opts: LocalOptions,
  style: Style,
): Promise<Transcript> {
  const nameOf = (id: string) =>
    users.find((u) => u.id === id)?.real_name ?? id;
  const stage: Stage = {
    app,
    users,
    opts,
    style,
    profile: pickProfile(opts.profile),
    requester: pickRequester(users, opts.requester),
    sections: [],
    nameOf,
    who: (id) => style.cyan(nameOf(id)),
  };
  try {
    const { run, form } = await openTheForm(stage);
    const request = await fillInTheForm(stage, form);
    const decidedAt = await decide(stage, request.approverId);
    const attrs = showTailscale(stage, run, request.device);
    showMessages(stage, request.approverId);
    return judge(stage, { run, request, decidedAt, attrs });
  } catch (e) {
    if (!(e instanceof Stopped)) throw e;
    return {
      sections: stage.sections,
      data: {},
      ok: false,
      verdict: e.message,
    };
  }
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

async function main(args: string[]): Promise<number> {
  let opts: LocalOptions | "help";
  try {
    opts = parseArgs(args);
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (opts === "help") {
    console.log(USAGE);
    return 0;
  }
  const color = !opts.json && Deno.stdout.isTerminal() &&
    !Deno.env.get("NO_COLOR");
  const style = makeStyle(color);
  const users = workspaceFor(config.profiles);
  const appOpts: AppOptions = { slack: { users } };
  if (opts.serve) return await serve(appOpts, style);
  const app = await startApp(appOpts);
  try {
    const transcript = await play(app, users, opts, style);
    if (opts.json) {
      console.log(
        JSON.stringify(
          {
            ok: transcript.ok,
            verdict: transcript.verdict,
            ...transcript.data,
          },
          null,
          2,
        ),
      );
    } else {
      printTranscript(transcript, style);
    }
    return transcript.ok ? 0 : 1;
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
