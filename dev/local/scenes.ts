/**
 * The first scenes of `deno task local`, one function each: the requester
 * opens the form, fills it in and sends it; the approver decides.
 *
 * @module
 */
import { EMERGENCY_LABEL } from "../../lib/blocks/mod.ts";
import { durationChoices, formatDuration } from "../../lib/durations.ts";
import type { WorkflowRun } from "../platform.ts";
import { renderBlocks, renderView } from "../render.ts";
import { parseDuration } from "./options.ts";
import {
  inputBlock,
  type Json,
  type Request,
  type Stage,
  Stopped,
} from "./stage.ts";

/** The break-glass choice in the form's emergency field. */
const EMERGENCY_CHOICE = "Emergency: grant now";
/** The form's optional start (a datetimepicker). */
const START_LABEL = "Start later? (optional)";

/** 1. The shortcut and the form. */
export async function openTheForm(
  s: Stage,
): Promise<{ run: WorkflowRun; form: Json }> {
  const { platform } = s.app;
  const { requester, profile, style, who } = s;
  const run = await platform.startWorkflow(
    "request_tailscale_access",
    requester.id,
  );
  if (run.status === "failed") {
    throw new Stopped(
      `the request form could not open: ${run.executions[0]?.error}`,
    );
  }
  if (s.profiles.length > 1) {
    s.sections.push({
      title: `${who(requester.id)} opens “Request Tailscale access”`,
      lines: renderView(platform.openView(requester.id).view, s.nameOf, style),
    });
    await platform.choose(
      requester.id,
      "What do you need access to?",
      profile.description,
    );
  }
  const form = platform.openView(requester.id).view;
  s.sections.push({
    title: `${who(requester.id)} chooses ${
      style.bold(profile.description)
    }; the form now shows`,
    lines: renderView(form, s.nameOf, style),
  });
  if (!inputBlock(form, "Who should approve?")) {
    throw new Stopped(
      "nobody can approve this profile for the requester (see the form above)",
    );
  }
  return { run, form };
}

/** What the requester chooses beyond the form's defaults. */
export type FormChoices = {
  /** "Emergency: grant now" (break-glass): no approver is chosen. */
  emergency?: boolean;
  /** A start this many seconds ahead, in the form's datetimepicker. */
  startInSeconds?: number;
};

/**
 * 2. Filling it in: device (a group profile has none), duration, approver
 * (none for an emergency), start, reason; then sending it.
 */
export async function fillInTheForm(
  s: Stage,
  form: Json,
  how: FormChoices = {},
): Promise<Request> {
  const { platform } = s.app;
  const { requester, nameOf } = s;
  const { device, choices } = s.profile.group === undefined
    ? await pickDevice(s)
    : { device: undefined, choices: [] };
  const duration = await pickDuration(s, form, how.emergency);
  const approverId = how.emergency ? "" : await pickApprover(s, form);
  if (how.emergency) {
    await platform.choose(requester.id, EMERGENCY_LABEL, EMERGENCY_CHOICE);
  }
  const startAt = how.startInSeconds === undefined
    ? undefined
    : pickStart(s, how.startInSeconds);
  const reason = how.emergency
    ? "INC-7: the payments API is down, I need its logs"
    : "Local demo of the access flow";
  platform.type(requester.id, "Why do you need it?", reason);
  s.sections.push({
    title: `${
      s.who(requester.id)
    } fills in the form and presses “Send request”`,
    lines: [
      ...(device
        ? [
          `  device picker offered:`,
          ...choices.map((c) => `    ${c}`),
          `  device:   ${device.text.text}`,
        ]
        : []),
      `  duration: ${formatDuration(duration)}`,
      how.emergency
        ? `  granted:  ${EMERGENCY_CHOICE} (no approver)`
        : s.profile.approvalsRequired > 1
        ? `  approver: every listed one is asked (${s.profile.approvalsRequired} must approve)`
        : `  approver: ${nameOf(approverId)}${
          approverId === requester.id ? " (self)" : ""
        }`,
      ...(startAt
        ? [
          `  start:    ${new Date(startAt).toISOString()} (in ${
            formatDuration(how.startInSeconds!)
          })`,
        ]
        : []),
      `  reason:   ${reason}`,
    ],
  });
  const answer = await platform.submit(requester.id);
  if (answer?.response_action === "errors") {
    throw new Stopped(`the form was refused: ${JSON.stringify(answer.errors)}`);
  }
  return { device, duration, approverId, startAt };
}

/**
 * Sets the start `inSeconds` ahead of the emulators' clock, as Slack's
 * datetimepicker sends it (Unix seconds); returns it in ms.
 */
function pickStart(s: Stage, inSeconds: number): number {
  const start = Math.floor(s.app.slack.now() / 1000) + inSeconds;
  s.app.platform.forge(s.requester.id, START_LABEL, {
    selected_date_time: start,
  });
  return start * 1000;
}

/** The picker's first device, and what it offered (for the transcript). */
async function pickDevice(
  s: Stage,
): Promise<{ device: Json; choices: string[] }> {
  const { platform } = s.app;
  const { requester, style } = s;
  const suggestions = await platform.suggest(
    requester.id,
    "From which device?",
    "",
  );
  const groups: Json[] = suggestions.option_groups ??
    [{ label: { text: "Devices" }, options: suggestions.options ?? [] }];
  const device = groups[0]?.options?.[0];
  if (!device || device.value === "!error") {
    throw new Stopped(
      `the device picker offered no device${
        device ? `: ${device.text.text}` : ""
      }`,
    );
  }
  const choices: string[] = [];
  for (const g of groups) {
    choices.push(style.bold(g.label.text));
    for (const o of g.options.slice(0, 6)) choices.push(`  ${o.text.text}`);
    if (g.options.length > 6) {
      choices.push(style.dim(`  … ${g.options.length - 6} more`));
    }
  }
  platform.selectSuggested(requester.id, "From which device?", device);
  return { device, choices };
}

/**
 * The form's default duration, or `--duration` if the profile offers it;
 * for an emergency, at most what break-glass allows.
 */
async function pickDuration(
  s: Stage,
  form: Json,
  emergency = false,
): Promise<number> {
  const { profile, opts } = s;
  const offered = durationChoices(profile.maxSeconds);
  let duration = Number(
    inputBlock(form, "For how long?").element.initial_option.value,
  );
  const cap = profile.breakGlass?.maxSeconds ?? Infinity;
  if (emergency && !opts.duration && duration > cap) {
    duration = offered.filter((d) => d <= cap).at(-1) ?? offered[0];
    await s.app.platform.choose(
      s.requester.id,
      "For how long?",
      formatDuration(duration),
    );
  }
  if (opts.duration) {
    duration = parseDuration(opts.duration);
    if (!offered.includes(duration)) {
      throw new Error(
        `${profile.description} offers ${
          offered.map(formatDuration).join(", ")
        }; not ${formatDuration(duration)}`,
      );
    }
    await s.app.platform.choose(
      s.requester.id,
      "For how long?",
      formatDuration(duration),
    );
  }
  return duration;
}

/**
 * Someone other than the requester who may approve: from the workspace
 * when the form has a user picker, else the first offered option.
 */
export async function pickApprover(s: Stage, form: Json): Promise<string> {
  const { platform } = s.app;
  const { requester, profile } = s;
  const approverEl = inputBlock(form, "Who should approve?").element;
  if (approverEl.type === "users_select") {
    const listed = profile.approverEmails ?? [];
    const candidate = s.users.find((u) =>
      u.id !== requester.id && !u.deleted && u.email &&
      (listed.length === 0 || listed.includes(u.email))
    );
    if (!candidate) throw new Stopped("no approver could be chosen");
    platform.chooseUser(requester.id, "Who should approve?", candidate.id);
    return candidate.id;
  }
  const options: Json[] = approverEl.options;
  const option = options.find((o) => o.value !== requester.id) ?? options[0];
  await platform.choose(
    requester.id,
    "Who should approve?",
    option.text.text,
  );
  return option.value;
}

/**
 * 3. The approver's newest prompt and the decision; returns when it was
 * made.
 */
export async function decide(s: Stage, approverId: string): Promise<number> {
  const { platform, slack } = s.app;
  const { style, who, requester, profile, nameOf } = s;
  const prompt = slack.messagesIn(approverId).findLast((m) =>
    JSON.stringify(m.blocks ?? []).includes('"action_id":"decide_approve"')
  );
  let decidedAt = Date.now();
  if (prompt) {
    s.sections.push({
      title: `${who(approverId)} receives a direct message`,
      lines: renderBlocks(prompt.blocks ?? [], nameOf, style),
    });
    decidedAt = Date.now();
    if (s.opts.decision === "approve") {
      await platform.click(approverId, prompt, "Approve");
      s.sections.push({
        title: `${who(approverId)} clicks ${style.green("Approve")}`,
        lines: [],
      });
    } else {
      // Deny asks for a reason in a small modal.
      await platform.click(approverId, prompt, "Deny…");
      const reason = "Not during the change freeze";
      platform.type(approverId, "Why are you denying it?", reason);
      await platform.submit(approverId);
      s.sections.push({
        title: `${who(approverId)} clicks ${
          style.red("Deny…")
        } and gives the reason “${reason}”`,
        lines: [],
      });
    }
  } else if (approverId === requester.id) {
    s.sections.push({
      title: `No approval needed: ${profile.description} lets ${
        nameOf(requester.id)
      } approve their own access`,
      lines: [],
    });
  } else {
    throw new Stopped(`no approval request reached ${nameOf(approverId)}`);
  }
  return decidedAt;
}

/** The requester opens "My Tailscale access"; returns the view shown. */
export async function openMyAccess(s: Stage, title: string): Promise<Json> {
  const { platform } = s.app;
  await platform.startWorkflow("my_tailscale_access", s.requester.id);
  const view = platform.openView(s.requester.id).view;
  s.sections.push({ title, lines: renderView(view, s.nameOf, s.style) });
  return view;
}

/**
 * The approval prompt in `userId`'s DMs as it is now (the app updates it
 * in place), if they got one.
 */
export function promptTo(s: Stage, userId: string): Json | undefined {
  return s.app.slack.messagesIn(userId).findLast((m) =>
    JSON.stringify(m.blocks ?? []).includes('"text":"Approve"')
  );
}

/** `approverId` clicks Approve on their prompt as it is now. */
export async function approveFrom(s: Stage, approverId: string) {
  const prompt = promptTo(s, approverId);
  if (!prompt) {
    throw new Stopped(`no approval request reached ${s.nameOf(approverId)}`);
  }
  await s.app.platform.click(approverId, prompt, "Approve");
  s.sections.push({
    title: `${s.who(approverId)} clicks ${s.style.green("Approve")}`,
    lines: [],
  });
}
