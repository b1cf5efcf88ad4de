/**
 * Shared steps for the end-to-end tests: the people, the profiles, the
 * request form filled in as a person would, and the flow's steps, one
 * helper each: {@linkcode submitRequest}, {@linkcode requestPending},
 * {@linkcode approve}, {@linkcode requestApproved} and
 * {@linkcode requestGranted}. {@linkcode start} runs the app with the short
 * waits of tests where nothing races.
 *
 * @module
 */
import {
  DEFAULT_SETTLE_MS,
  type RequestRecord,
} from "../lib/requests/store.ts";
import type { ConfigInput } from "../lib/config_schema.ts";
import { demoDevice } from "../dev/emulator/demo_tailnet.ts";
import type { FakeMessage } from "../dev/emulator/slack.ts";
import { DEFAULT_TRIGGER_SPACING_MS } from "../lib/slack/trigger_calls.ts";
import { PEOPLE } from "../dev/emulator/slack_people.ts";
import { type AppOptions, startApp, type TestApp } from "../dev/app.ts";
import { assert, assertEquals } from "./assert.ts";

export { PEOPLE };

/** The request workflow's callback_id. */
export const WORKFLOW = "request_tailscale_access";

/** Form labels, as the requester reads them. */
export const LABEL = {
  profile: "What do you need access to?",
  device: "From which device?",
  duration: "For how long?",
  approver: "Who should approve?",
  reason: "Why do you need it?",
} as const;

/** Profiles covering each approval mode. */
export const PROFILES: ConfigInput["profiles"] = [
  {
    description: "Production",
    attribute: "custom:prodAccess",
    maxSeconds: 8 * 3600,
    approverEmails: ["bob@example.com", "carol@example.com"],
    notifyChannel: "C0NOTIFY01",
  },
  {
    description: "Staging",
    attribute: "custom:stagingAccess",
    canSelfApprove: true,
  },
  {
    description: "Jump hosts",
    attribute: "custom:jumpAccess",
    approverEmails: ["bob@example.com"],
    allowAnyDevice: true,
  },
  {
    description: "Database (confirm)",
    attribute: "custom:dbAccess",
    canSelfApprove: true,
    confirmSelfApproval: true,
  },
];

/** Node ID of Alice's laptop in the demo tailnet. */
export const ALICE_LAPTOP = demoDevice("alice-laptop").nodeId;

/**
 * The claim's real settle time, for tests where deciders race. Every other
 * test runs with a short one ({@linkcode SHORT_SETTLE_MS}): nobody races
 * there, and the wait is most of a flow's time.
 */
export const REAL_SETTLE = { CLAIM_SETTLE_MS: String(DEFAULT_SETTLE_MS) };

/** The settle time of tests where nobody races, in ms. */
export const SHORT_SETTLE_MS = 100;

/**
 * The app's real trigger-call spacing, for tests that pin it (no trigger
 * call of a whole flow is refused as a burst).
 */
export const REAL_SPACING = { triggerSpacingMs: DEFAULT_TRIGGER_SPACING_MS };

/**
 * The trigger-call spacing of every other test, in ms: half the real one,
 * still well above the emulator's 100 ms burst window (`TRIGGER_BURST_MS`),
 * so the app's calls pass its burst rule as they do with the real spacing.
 */
export const SHORT_SPACING_MS = 150;

/**
 * Starts the app with {@linkcode PROFILES} unless told otherwise, and the
 * short settle and spacing unless `opts` names others. Events load the npm
 * packages from bundles (`bundledDependencies`): the same code, a faster
 * start; the command of `deno task local` (tests/local_test.ts) runs them
 * from the packages.
 */
export function start(opts: AppOptions = {}): Promise<TestApp> {
  return startApp({
    profiles: PROFILES,
    triggerSpacingMs: SHORT_SPACING_MS,
    bundledDependencies: true,
    ...opts,
    env: { CLAIM_SETTLE_MS: String(SHORT_SETTLE_MS), ...opts.env },
  });
}

/** Runs `fn` with a started app, closing it afterwards. */
export async function withApp(
  opts: AppOptions,
  fn: (app: TestApp) => Promise<void>,
) {
  const app = await start(opts);
  try {
    await fn(app);
  } catch (e) {
    console.error(`app output:\n${app.output.join("\n")}`);
    throw e;
  } finally {
    await app.close();
  }
}

/** What the requester fills in. */
export type Filled = {
  profile: string;
  device?: { query: string; option: string };
  duration?: string;
  approver?: string;
  approverUser?: string;
  reason?: string;
};

/** The requester opens the shortcut and fills in the form (not submitting). */
export async function fillRequest(
  app: TestApp,
  requester: string,
  f: Filled,
) {
  const run = await app.platform.startWorkflow(WORKFLOW, requester);
  await app.platform.choose(requester, LABEL.profile, f.profile);
  if (f.device) {
    await app.platform.pick(
      requester,
      LABEL.device,
      f.device.query,
      f.device.option,
    );
  }
  if (f.duration) {
    await app.platform.choose(requester, LABEL.duration, f.duration);
  }
  if (f.approver) {
    await app.platform.choose(requester, LABEL.approver, f.approver);
  }
  if (f.approverUser) {
    app.platform.chooseUser(requester, LABEL.approver, f.approverUser);
  }
  if (f.reason !== undefined) {
    app.platform.type(requester, LABEL.reason, f.reason);
  }
  return run;
}

/** The standard Production request from Alice to Bob. */
export const ALICE_ASKS_BOB: Filled = {
  profile: "Production",
  device: { query: "", option: "alice-laptop" },
  duration: "1 hour",
  approver: "*Bob Baker*",
  reason: "INC-42 read payment logs",
};

/** Who asks and who decides, when not Alice and Bob. */
export type Parties = { requester?: string; approver?: string };

/**
 * The requester (Alice unless told) fills in the form with `filled`
 * ({@linkcode ALICE_ASKS_BOB} unless told) and submits it. Returns the
 * request's run and the submission's answer.
 *
 * @example
 * ```ts
 * const { answer } = await submitRequest(app);
 * assertEquals(answer, {}); // the form closed without errors
 * ```
 */
export async function submitRequest(
  app: TestApp,
  filled: Filled = ALICE_ASKS_BOB,
  { requester = PEOPLE.alice }: Parties = {},
) {
  const run = await fillRequest(app, requester, filled);
  const answer = await app.platform.submit(requester);
  return { run, answer };
}

/**
 * {@linkcode submitRequest}, and the request waits for the approver (Bob
 * unless told): also returns the prompt with the Approve button he got.
 */
export async function requestPending(
  app: TestApp,
  filled: Filled = ALICE_ASKS_BOB,
  parties: Parties = {},
) {
  const { run, answer } = await submitRequest(app, filled, parties);
  return { run, answer, prompt: newestPrompt(app, parties.approver) };
}

/**
 * The approver (Bob unless told) clicks Approve on `prompt`, by default the
 * newest message in his DMs that still has an Approve button.
 */
export async function approve(
  app: TestApp,
  approver: string = PEOPLE.bob,
  prompt: FakeMessage = newestPrompt(app, approver),
) {
  await app.platform.click(approver, prompt, "Approve");
}

/**
 * {@linkcode requestPending}, then the approver approves. Returns the
 * request's run and the requester's newest record, whatever became of it.
 */
export async function requestApproved(
  app: TestApp,
  filled: Filled = ALICE_ASKS_BOB,
  parties: Parties = {},
) {
  const { run, prompt } = await requestPending(app, filled, parties);
  await approve(app, parties.approver, prompt);
  return { run, record: newestRecord(app, parties.requester) };
}

/** {@linkcode requestApproved}, and the grant went through. */
export async function requestGranted(
  app: TestApp,
  filled: Filled = ALICE_ASKS_BOB,
  parties: Parties = {},
) {
  const approved = await requestApproved(app, filled, parties);
  assertEquals(approved.record.state, "granted", "granted");
  return approved;
}

/** The newest message in the approver's DMs with an Approve button. */
export function newestPrompt(
  app: TestApp,
  approver: string = PEOPLE.bob,
): FakeMessage {
  const prompt = app.slack.messagesIn(approver).findLast((m) =>
    JSON.stringify(m.blocks ?? []).includes('"text":"Approve"')
  );
  assert(prompt, `${approver} has a prompt with an Approve button`);
  return prompt;
}

/** The requester's newest record (Alice's unless told). */
export function newestRecord(
  app: TestApp,
  requester: string = PEOPLE.alice,
): RequestRecord {
  const found = records(app).filter((r) => r.requester === requester)
    .sort((a, b) => a.created_at.localeCompare(b.created_at)).pop();
  assert(found, `${requester} has a record`);
  return found;
}

/** The message in someone's DMs that has a button labelled `text`. */
export function messageWithButton(
  app: TestApp,
  userId: string,
  text: string,
): FakeMessage {
  const found = app.slack.messagesIn(userId).find((m) =>
    JSON.stringify(m.blocks ?? []).includes(`"text":"${text}"`)
  );
  assert(found, `no message with a "${text}" button for ${userId}`);
  return found;
}

/** All the text of someone's DMs (or a channel), for assertions. */
export function textIn(app: TestApp, channelOrUser: string): string {
  return app.slack.messagesIn(channelOrUser).map((m) =>
    `${m.text ?? ""}\n${JSON.stringify(m.blocks ?? [])}`
  ).join("\n---\n");
}

/** Tailscale attribute writes recorded by the fake. */
export function attributeWrites(app: TestApp) {
  return app.tailscale.callsTo("POST", /\/attributes\//);
}

/** The request records in the emulator's `requests` datastore. */
export function records(app: TestApp) {
  return [...app.slack.datastore("requests").values()] as RequestRecord[];
}

/**
 * What the app answered someone directly: ephemeral replies, and the DMs
 * it sent them (a decision's answers to the person who clicked come as DMs).
 */
export function repliesTo(app: TestApp, userId: string): string {
  return [
    ...app.slack.messages.filter((m) => m.ephemeral_user === userId)
      .map((m) => m.text ?? ""),
    textIn(app, userId),
  ].join("\n");
}

/** The decision workflow's callback_id (the approver's buttons run it). */
export const DECIDE = "decide_tailscale_access";

/** The latest run of the decision workflow: its last step has the outcome. */
export function lastDecision(app: TestApp) {
  const run = app.platform.runs.findLast((r) => r.workflowId === DECIDE);
  assert(run, "a decision was made");
  return {
    run,
    outcome: run.executions.at(-1)?.outputs?.outcome,
    error: run.executions.at(-1)?.error,
  };
}

/**
 * The approver denies: clicks "Deny…" in the prompt, gives the reason in
 * the modal that opens, and submits it. Returns the submission's answer.
 */
export async function deny(
  app: TestApp,
  approver: string,
  prompt: { channel: string; ts: string; blocks?: unknown[] },
  reason = "Not during the freeze",
) {
  await app.platform.click(approver, prompt, "Deny…");
  app.platform.type(approver, "Why are you denying it?", reason);
  return await app.platform.submit(approver);
}
