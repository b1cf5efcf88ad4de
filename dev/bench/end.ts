/**
 * The end of access, in `deno task bench`'s picker section: from a grant's
 * planned end to its attribute being gone from Tailscale, with the app
 * removing it at its expiry event, against Tailscale alone (the emulator
 * keeps an expired attribute for its linger, as Tailscale does for "a few
 * minutes").
 *
 * @module
 */
import { PEOPLE } from "../emulator/slack_people.ts";
import {
  openForm,
  percentile,
  pickFirstDevice,
  PROFILES,
  seconds,
  withBenchApp,
} from "./common.ts";

/** Grants per way of ending them. */
const END_RUNS = 3;

/**
 * One grant of an hour, then the clock moved to its planned end: how long
 * after that end (emulated time) the attribute is gone from Tailscale. With
 * `appEnds`, the grant's own expiry event runs; without, its trigger is
 * deleted and Tailscale alone removes the attribute, polled every 5 s.
 */
async function measureEnd(appEnds: boolean): Promise<number> {
  return await withBenchApp({ profiles: PROFILES }, async (app) => {
    let goneAt: number | null = null;
    app.tailscale.onCall = (call) => {
      if (call.method === "DELETE" && call.path.includes("/attributes/")) {
        goneAt ??= app.slack.now();
      }
    };
    await openForm(app, "Production");
    await pickFirstDevice(app, "alice");
    await app.platform.choose(PEOPLE.alice, "For how long?", "1 hour");
    await app.platform.choose(
      PEOPLE.alice,
      "Who should approve?",
      "*Bob Baker*",
    );
    app.platform.type(PEOPLE.alice, "Why do you need it?", "benchmark");
    await app.platform.submit(PEOPLE.alice);
    const prompt = app.slack.messagesIn(PEOPLE.bob).find((m) =>
      JSON.stringify(m.blocks ?? []).includes('"text":"Approve"')
    );
    if (!prompt) throw new Error("no approval prompt");
    await app.platform.click(PEOPLE.bob, prompt, "Approve");
    const record = [...app.slack.datastore("requests").values()]
      .find((r) => r.state === "granted");
    const end = Date.parse(String(record?.expires_at));
    if (!Number.isFinite(end)) throw new Error("no grant");
    if (!appEnds) {
      for (const [id, t] of app.slack.triggers) {
        if (t.type === "scheduled") app.slack.triggers.delete(id);
      }
    }
    await app.platform.advanceClock(end - app.slack.now());
    const nodeId = String(record?.device_id);
    while (
      goneAt === null &&
      app.tailscale.customAttributes(nodeId).attributes[
          "custom:prodAccess"
        ] !== undefined
    ) {
      await app.platform.advanceClock(5_000);
    }
    return (goneAt ?? app.slack.now()) - end;
  });
}

/**
 * {@link END_RUNS} grants ended each way; prints planned end → attribute
 * gone, median and max.
 *
 * @example
 * ```ts
 * await endOfAccessBench();
 * ```
 */
export async function endOfAccessBench(): Promise<void> {
  const ends: [string, number[]][] = [];
  for (
    const [label, appEnds] of [
      ["the app removes it at the grant's expiry event", true],
      ["Tailscale alone (expiry trigger deleted)", false],
    ] as const
  ) {
    const gaps: number[] = [];
    for (let i = 0; i < END_RUNS; i++) gaps.push(await measureEnd(appEnds));
    ends.push([label, gaps]);
  }
  console.log(
    `\n| end of access (${END_RUNS} grants each, emulated clock) | planned end → attribute gone, median | max |\n|---|---:|---:|`,
  );
  for (const [label, gaps] of ends) {
    console.log(
      `| ${label} | ${seconds(percentile(gaps, 0.5))} | ${
        seconds(Math.max(...gaps))
      } |`,
    );
  }
}
