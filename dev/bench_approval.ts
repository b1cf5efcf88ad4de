/**
 * The approval section of `deno task bench`: from the approver's click to
 * the attribute written and to the requester told, over many flows, at the
 * bench's latencies (Tailscale +150 ms, Slack +50 ms); and the same with
 * Tailscale answering the write after 12 s. Prints figures; asserts nothing.
 *
 * @module
 */
import { type ConfigInput, parseConfig } from "../lib/config_schema.ts";
import { startApp, type TestApp } from "./app.ts";
import { PEOPLE } from "./emulator/slack_people.ts";
import { workspaceFor } from "./local.ts";

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

async function withBenchApp<T>(fn: (app: TestApp) => Promise<T>): Promise<T> {
  const app = await startApp({
    profiles: PROFILES,
    tailscale: { latencyMs: 150 },
    slack: {
      users: workspaceFor(parseConfig({ profiles: PROFILES }).profiles),
      latencyMs: 50,
    },
  });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

/** Alice asks for an hour of Production; Bob clicks Approve. */
async function oneApproval(
  app: TestApp,
  slowWriteMs: number,
): Promise<ApprovalTimes> {
  const { alice, bob } = PEOPLE;
  await app.platform.startWorkflow("request_tailscale_access", alice);
  await app.platform.choose(alice, "What do you need access to?", "Production");
  const options = await app.platform.suggest(alice, "From which device?", "");
  const first = (options.option_groups?.[0]?.options ?? options.options)[0];
  app.platform.selectSuggested(alice, "From which device?", first);
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
export async function measureApprovals(
  flows: number,
  slowWriteMs = 0,
): Promise<ApprovalTimes[]> {
  return await withBenchApp(async (app) => {
    const out: ApprovalTimes[] = [];
    for (let i = 0; i < flows; i++) {
      out.push(await oneApproval(app, slowWriteMs));
    }
    return out;
  });
}
