/**
 * The approval section of `deno task bench`: from the approver's click to
 * the attribute written and to the requester told, over many flows, at the
 * bench's latencies (Tailscale +150 ms, Slack +50 ms); and the same with
 * Tailscale answering the write after 12 s. Prints figures; asserts nothing.
 *
 * @module
 */
import type { ConfigInput } from "../../lib/config_schema.ts";
import type { TestApp } from "../app.ts";
import { PEOPLE } from "../emulator/slack_people.ts";
import {
  ms,
  openForm,
  percentile,
  pickFirstDevice,
  withBenchApp,
} from "./common.ts";

/** Approvals in a row for the click-to-told figures. */
const APPROVAL_FLOWS = 20;

/** The approval section's one profile, which notifies a channel too. */
const PROFILES: ConfigInput["profiles"] = [{
  description: "Production",
  attribute: "custom:prodAccess",
  maxSeconds: 8 * 3600,
  approverEmails: ["bob@example.com"],
  notifyChannel: "C0NOTIFY01",
}];

/** One approval's times, in ms from the click. */
export type ApprovalTimes = {
  /** Tailscale received the attribute write. */
  written: number;
  /** Slack received the requester's "access is active" message. */
  told: number;
  /** The decision's whole workflow had finished. */
  done: number;
  /** Handlers Slack would have cut off at its limits. */
  timeouts: number;
};

/** Alice asks for an hour of Production; Bob clicks Approve. */
async function oneApproval(
  app: TestApp,
  slowWriteMs: number,
): Promise<ApprovalTimes> {
  const { alice, bob } = PEOPLE;
  await openForm(app, "Production");
  await pickFirstDevice(app, "");
  await app.platform.choose(alice, "For how long?", "1 hour");
  app.platform.type(alice, "Why do you need it?", "benchmark");
  await app.platform.submit(alice);
  const prompt = app.slack.messagesIn(bob).findLast((m) =>
    JSON.stringify(m.blocks ?? []).includes("decide_approve")
  );
  if (!prompt) throw new Error("no approval prompt");
  if (slowWriteMs) {
    app.tailscale.delayNext(1, slowWriteMs, "POST", /\/attributes\//);
  }
  let written = NaN;
  const start = performance.now();
  const clickedAt = app.slack.now();
  app.tailscale.onCall = (call) => {
    if (call.method === "POST" && call.path.includes("/attributes/")) {
      written = app.slack.now() - clickedAt;
    }
  };
  const toldBefore = toldCount(app);
  const timeoutsBefore = app.platform.timeouts.length;
  await app.platform.click(bob, prompt, "Approve");
  // A grant handed on is finished by its resume event a minute later.
  for (let i = 0; i < 5 && toldCount(app) === toldBefore; i++) {
    await app.platform.advanceClock(61_000);
  }
  const done = performance.now() - start;
  app.tailscale.onCall = undefined;
  const message = app.slack.callsTo("chat.postMessage").findLast((c) =>
    c.args.channel === alice &&
    JSON.stringify(c.args.blocks ?? "").includes("is active until")
  );
  if (toldCount(app) === toldBefore || !message?.at) {
    throw new Error("the requester was not told");
  }
  return {
    written,
    told: message.at - clickedAt,
    done,
    timeouts: app.platform.timeouts.length - timeoutsBefore,
  };
}

function toldCount(app: TestApp): number {
  return app.slack.messagesIn(PEOPLE.alice).filter((m) =>
    JSON.stringify(m.blocks ?? []).includes("is active until")
  ).length;
}

/** `flows` approvals in one app, each with a Tailscale write `slowWriteMs` late. */
async function measureApprovals(
  flows: number,
  slowWriteMs = 0,
): Promise<ApprovalTimes[]> {
  return await withBenchApp({ profiles: PROFILES }, async (app) => {
    const out: ApprovalTimes[] = [];
    for (let i = 0; i < flows; i++) {
      out.push(await oneApproval(app, slowWriteMs));
    }
    return out;
  });
}

/**
 * The approval: click → attribute written → requester told, over
 * {@linkcode APPROVAL_FLOWS} flows; then with Tailscale answering the write
 * after 12 s.
 *
 * @example
 * ```ts
 * await approvalBench();
 * ```
 */
export async function approvalBench(): Promise<void> {
  const normal = await measureApprovals(APPROVAL_FLOWS);
  const slow = await measureApprovals(3, 12_000);
  console.log(
    `\nApproval, Deno ${Deno.version.deno}; each event a fresh process; Tailscale +150 ms, Slack +50 ms; the decision's claim settles 1.5 s.\n`,
  );
  console.log(
    "| approvals | click → attribute written, median / p95 | click → requester told, median / p95 | click → decision finished, median | handlers past Slack's limit |\n|---|---:|---:|---:|---:|",
  );
  for (
    const [label, runs] of [
      [`${APPROVAL_FLOWS}, Tailscale answers at once`, normal],
      ["3, Tailscale answers the write after 12 s", slow],
    ] as const
  ) {
    const pick = (k: "written" | "told" | "done") => runs.map((r) => r[k]);
    console.log(
      `| ${label} | ${ms(percentile(pick("written"), 0.5))} / ${
        ms(percentile(pick("written"), 0.95))
      } | ${ms(percentile(pick("told"), 0.5))} / ${
        ms(percentile(pick("told"), 0.95))
      } | ${ms(percentile(pick("done"), 0.5))} | ${
        runs.reduce((n, r) => n + r.timeouts, 0)
      } |`,
    );
  }
}
