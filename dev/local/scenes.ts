/**
 * The first scenes of `deno task local`, one function each: the requester
 * opens the form, fills it in and sends it; the approver decides.
 *
 * @module
 */
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

/**
 * 2. Filling it in: device (a group profile has none), duration, approver,
 * reason; then sending it.
 */
export async function fillInTheForm(s: Stage, form: Json): Promise<Request> {
  const { platform } = s.app;
  const { requester, nameOf } = s;
  const { device, choices } = s.profile.group === undefined
    ? await pickDevice(s)
    : { device: undefined, choices: [] };
  const duration = await pickDuration(s, form);
  const approverId = await pickApprover(s, form);
  const reason = "Local demo of the access flow";
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
      `  approver: ${nameOf(approverId)}${
        approverId === requester.id ? " (self)" : ""
      }`,
      `  reason:   ${reason}`,
    ],
  });
  const answer = await platform.submit(requester.id);
  if (answer?.response_action === "errors") {
    throw new Stopped(`the form was refused: ${JSON.stringify(answer.errors)}`);
  }
  return { device, duration, approverId };
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

/** The form's default duration, or `--duration` if the profile offers it. */
async function pickDuration(s: Stage, form: Json): Promise<number> {
  const { profile, opts } = s;
  const offered = durationChoices(profile.maxSeconds);
  let duration = Number(
    inputBlock(form, "For how long?").element.initial_option.value,
  );
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
