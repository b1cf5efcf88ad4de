/**
 * `deno task local`: the whole app on this machine, no Slack workspace or
 * tailnet needed. Starts the Slack and Tailscale emulators, plays a request →
 * decision → grant with the repository's own config.ts, and prints what each
 * person saw. Exits 0 only when the outcome is exactly what was decided.
 *
 * @module
 */
import { config } from "../config.ts";
import type { Profile } from "../lib/config_schema.ts";
import { durationChoices, formatDuration } from "../lib/durations.ts";
import { type AppOptions, startApp, type TestApp } from "./app.ts";
import type { FakeSlackUser } from "./emulator/slack.ts";
import { slackPeople } from "./emulator/slack_people.ts";
import { makeStyle, renderBlocks, renderView, type Style } from "./render.ts";
import { serve } from "./serve.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const USAGE = `Usage: deno task local [options]

Plays a complete access request against local Slack and Tailscale emulators,
using this repository's config.ts, and prints what each person saw.

Options:
  --decision approve|deny   what the approver decides (default: approve)
  --profile NAME            profile description or attribute (default: the first)
  --duration D              e.g. 30m, 1h, 2d or seconds (default: the form's default)
  --requester NAME          demo person (alice, bob, carol, dave, erin) or email (default: alice)
  --serve                   keep the emulators running and print their URLs
  --json                    print the transcript as JSON
  --help                    this text`;

/** Parsed command line. */
export type LocalOptions = {
  decision: "approve" | "deny";
  profile?: string;
  duration?: string;
  requester: string;
  serve: boolean;
  json: boolean;
};

/** Parses `--flag value` and `--flag=value`; throws with a usage hint. */
export function parseArgs(args: string[]): LocalOptions | "help" {
  const opts: LocalOptions = {
    decision: "approve",
    requester: "alice",
    serve: false,
    json: false,
  };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--help":
      case "-h":
        return "help";
      case "--serve":
        opts.serve = true;
        break;
      case "--json":
        opts.json = true;
        break;
      case "--decision": {
        const v = value();
        if (v !== "approve" && v !== "deny") {
          throw new Error(`--decision must be approve or deny, not "${v}"`);
        }
        opts.decision = v;
        break;
      }
      case "--profile":
        opts.profile = value();
        break;
      case "--duration":
        opts.duration = value();
        break;
      case "--requester":
        opts.requester = value();
        break;
      default:
        throw new Error(`unknown option "${args[i]}"`);
    }
  }
  return opts;
}

/** "90m", "1h", "2d", "45s" or plain seconds → seconds. */
export function parseDuration(text: string): number {
  const m = text.trim().match(/^(\d+)\s*([smhd]?)$/i);
  if (!m) throw new Error(`cannot read duration "${text}" (try 30m, 1h, 2d)`);
  const unit = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2].toLowerCase()]!;
  return Number(m[1]) * unit;
}

/** The demo workspace plus a person for every email config.ts names. */
export function workspaceFor(profiles: readonly Profile[]): FakeSlackUser[] {
  const users = slackPeople();
  const known = new Set(users.map((u) => u.email).filter(Boolean));
  let n = 0;
  for (const email of profiles.flatMap((p) => p.approverEmails ?? [])) {
    if (known.has(email)) continue;
    known.add(email);
    const name = email.split("@")[0];
    users.push({
      id: `U0CFG${String(++n).padStart(4, "0")}`,
      name,
      real_name: name.replace(/[._-]+/g, " ").replace(
        /\b\w/g,
        (c) => c.toUpperCase(),
      ),
      email,
      tz: "UTC",
      tz_label: "Coordinated Universal Time",
      tz_offset: 0,
    });
  }
  return users;
}

/** One part of the transcript. */
type Section = { title: string; lines: string[] };

/** What happened, for people (sections) and for --json (data). */
export type Transcript = {
  sections: Section[];
  data: Record<string, unknown>;
  ok: boolean;
  verdict: string;
};

/** A device profile: what this demo plays (group grants have their tests). */
type DeviceProfile = Profile & { attribute: string };

function pickProfile(name: string | undefined): DeviceProfile {
  const devices = config.profiles.filter((p): p is DeviceProfile =>
    p.attribute !== undefined
  );
  if (!name) return devices[0];
  const wanted = name.toLowerCase();
  const exact = devices.find((p) =>
    p.description.toLowerCase() === wanted ||
    p.key.toLowerCase() === wanted
  );
  const prefixed = devices.filter((p) =>
    p.description.toLowerCase().startsWith(wanted)
  );
  const found = exact ?? (prefixed.length === 1 ? prefixed[0] : undefined);
  if (!found) {
    throw new Error(
      `no profile "${name}" in config.ts (profiles: ${
        devices.map((p) => `"${p.description}"`).join(", ")
      })`,
    );
  }
  return found;
}

function pickRequester(users: FakeSlackUser[], who: string): FakeSlackUser {
  const w = who.toLowerCase();
  const found = users.find((u) =>
    !u.deleted && (u.name === w || u.email?.toLowerCase() === w)
  );
  if (!found) {
    throw new Error(
      `no person "${who}" in the demo workspace (try ${
        users.filter((u) => !u.deleted && u.email).map((u) => u.name).join(", ")
      })`,
    );
  }
  return found;
}

function inputBlock(view: Json, label: string): Json | undefined {
  return view.blocks.find((b: Json) =>
    b.type === "input" && b.label.text === label
  );
}

/** Plays the flow and returns the transcript. */
export async function play(
  app: TestApp,
  users: FakeSlackUser[],
  opts: LocalOptions,
  style: Style,
): Promise<Transcript> {
  const { platform, slack, tailscale } = app;
  const nameOf = (id: string) =>
    users.find((u) => u.id === id)?.real_name ?? id;
  const profile = pickProfile(opts.profile);
  const requester = pickRequester(users, opts.requester);
  const sections: Section[] = [];
  const fail = (verdict: string): Transcript => ({
    sections,
    data: {},
    ok: false,
    verdict,
  });
  const who = (id: string) => style.cyan(nameOf(id));

  // 1. The shortcut and the form.
  const run = await platform.startWorkflow(
    "request_tailscale_access",
    requester.id,
  );
  if (run.status === "failed") {
    return fail(`the request form could not open: ${run.executions[0]?.error}`);
  }
  if (config.profiles.length > 1) {
    sections.push({
      title: `${who(requester.id)} opens “Request Tailscale access”`,
      lines: renderView(platform.openView(requester.id).view, nameOf, style),
    });
    await platform.choose(
      requester.id,
      "What do you need access to?",
      profile.description,
    );
  }
  const form = platform.openView(requester.id).view;
  sections.push({
    title: `${who(requester.id)} chooses ${
      style.bold(profile.description)
    }; the form now shows`,
    lines: renderView(form, nameOf, style),
  });
  if (!inputBlock(form, "Who should approve?")) {
    return fail(
      "nobody can approve this profile for the requester (see the form above)",
    );
  }

  // 2. Filling it in.
  const suggestions = await platform.suggest(
    requester.id,
    "From which device?",
    "",
  );
  const groups: Json[] = suggestions.option_groups ??
    [{ label: { text: "Devices" }, options: suggestions.options ?? [] }];
  const device = groups[0]?.options?.[0];
  if (!device || device.value === "!error") {
    return fail(
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
    await platform.choose(
      requester.id,
      "For how long?",
      formatDuration(duration),
    );
  }

  const approverEl = inputBlock(form, "Who should approve?").element;
  let approverId: string;
  if (approverEl.type === "users_select") {
    const listed = profile.approverEmails ?? [];
    const candidate = users.find((u) =>
      u.id !== requester.id && !u.deleted && u.email &&
      (listed.length === 0 || listed.includes(u.email))
    );
    if (!candidate) return fail("no approver could be chosen");
    approverId = candidate.id;
    platform.chooseUser(requester.id, "Who should approve?", approverId);
  } else {
    const options: Json[] = approverEl.options;
    const option = options.find((o) => o.value !== requester.id) ?? options[0];
    approverId = option.value;
    await platform.choose(
      requester.id,
      "Who should approve?",
      option.text.text,
    );
  }
  const reason = "Local demo of the access flow";
  platform.type(requester.id, "Why do you need it?", reason);
  sections.push({
    title: `${who(requester.id)} fills in the form and presses “Send request”`,
    lines: [
      `  device picker offered:`,
      ...choices.map((c) => `    ${c}`),
      `  device:   ${device.text.text}`,
      `  duration: ${formatDuration(duration)}`,
      `  approver: ${nameOf(approverId)}${
        approverId === requester.id ? " (self)" : ""
      }`,
      `  reason:   ${reason}`,
    ],
  });
  const answer = await platform.submit(requester.id);
  if (answer?.response_action === "errors") {
    return fail(`the form was refused: ${JSON.stringify(answer.errors)}`);
  }

  // 3. The approver's prompt and the decision.
  const prompt = slack.messagesIn(approverId).find((m) =>
    JSON.stringify(m.blocks ?? []).includes('"action_id":"decide_approve"')
  );
  let decidedAt = Date.now();
  if (prompt) {
    sections.push({
      title: `${who(approverId)} receives a direct message`,
      lines: renderBlocks(prompt.blocks ?? [], nameOf, style),
    });
    decidedAt = Date.now();
    if (opts.decision === "approve") {
      await platform.click(approverId, prompt, "Approve");
      sections.push({
        title: `${who(approverId)} clicks ${style.green("Approve")}`,
        lines: [],
      });
    } else {
      // Deny asks for a reason in a small modal.
      await platform.click(approverId, prompt, "Deny…");
      const reason = "Not during the change freeze";
      platform.type(approverId, "Why are you denying it?", reason);
      await platform.submit(approverId);
      sections.push({
        title: `${who(approverId)} clicks ${
          style.red("Deny…")
        } and gives the reason “${reason}”`,
        lines: [],
      });
    }
  } else if (approverId === requester.id) {
    sections.push({
      title: `No approval needed: ${profile.description} lets ${
        nameOf(requester.id)
      } approve their own access`,
      lines: [],
    });
  } else {
    return fail(`no approval request reached ${nameOf(approverId)}`);
  }

  // 4. What Tailscale was asked, and what the device has now.
  const apiCalls = tailscale.calls.filter((c) =>
    !c.path.endsWith("/oauth/token")
  );
  sections.push({
    title: "Tailscale API calls the app made",
    lines: apiCalls.map((c) =>
      `  ${c.method.padEnd(4)} ${c.path}${c.search} → ${c.status}${
        c.method === "POST" ? `\n         ${JSON.stringify(c.body)}` : ""
      }`
    ).concat(
      `  (${tailscale.tokensIssued} OAuth token${
        tailscale.tokensIssued === 1 ? "" : "s"
      } issued for all ${run.executions.length > 1 ? "events" : "calls"})`,
    ),
  });
  const attrs = tailscale.customAttributes(device.value);
  const attrLines = Object.entries(attrs.attributes).map(([k, v]) =>
    `  ${k} = ${JSON.stringify(v)}${
      attrs.expiries[k] ? `   expires ${attrs.expiries[k]}` : ""
    }`
  );
  sections.push({
    title: `Custom attributes on ${
      device.text.text.split(" · ")[0]
    } afterwards`,
    lines: attrLines.length ? attrLines : ["  (none)"],
  });

  // 5. Everyone's messages.
  const recipients = [...new Set([requester.id, approverId])];
  for (const id of recipients) {
    const received = slack.messagesIn(id);
    sections.push({
      title: `Messages ${nameOf(id)} received`,
      lines: received.flatMap((m, i) => [
        ...(i ? [style.dim("  ·")] : []),
        ...renderBlocks(m.blocks ?? [], nameOf, style),
      ]),
    });
  }
  if (profile.notifyChannel) {
    sections.push({
      title: `Messages in the notify channel ${profile.notifyChannel}`,
      lines: slack.messagesIn(profile.notifyChannel).flatMap((m) =>
        renderBlocks(m.blocks ?? [], nameOf, style)
      ),
    });
  }

  // 6. The verdict: exactly what was decided, for exactly as long. The
  // request's run ends when the approver is asked; a decision runs as its
  // own workflow, from the button (none for a self-approval).
  const decision = platform.runs.findLast((r) =>
    r.workflowId === "decide_tailscale_access"
  );
  const decided = !decision || decision.status === "completed";
  const value = attrs.attributes[profile.attribute];
  const expiry = attrs.expiries[profile.attribute];
  const wanted = decidedAt + duration * 1000;
  let ok: boolean;
  let verdict: string;
  if (opts.decision === "approve") {
    const drift = expiry ? Math.abs(Date.parse(expiry) - wanted) : Infinity;
    ok = value === true && drift < 15_000 && run.status === "completed" &&
      decided;
    verdict = ok
      ? `granted ${profile.attribute} = true on ${device.value} until ${expiry} (${
        formatDuration(duration)
      }), as approved`
      : `NOT granted as approved (value ${
        JSON.stringify(value)
      }, expiry ${expiry}, workflow ${run.status})`;
  } else {
    const writes = tailscale.calls.filter((c) =>
      c.method === "POST" && c.path.includes("/attributes/")
    );
    ok = writes.length === 0 && value === undefined &&
      run.status === "completed" && decided;
    verdict = ok
      ? "denied: nothing was written to Tailscale"
      : `deny did not hold (${writes.length} attribute writes, workflow ${run.status})`;
  }
  return {
    sections,
    ok,
    verdict,
    data: {
      requester: requester.id,
      approver: approverId,
      profile: profile.attribute,
      device: device.value,
      durationSeconds: duration,
      decision: opts.decision,
      workflow: run,
      decisionRun: decision,
      slackCalls: slack.calls,
      tailscaleCalls: tailscale.calls,
      attributes: attrs,
      messages: slack.messages,
    },
  };
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
