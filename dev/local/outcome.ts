/**
 * The last scenes of `deno task local`: what Tailscale was asked, everyone's
 * messages, and the verdict.
 *
 * @module
 */
import { formatDuration } from "../../lib/durations.ts";
import type { CustomAttributes } from "../emulator/tailscale.ts";
import type { WorkflowRun } from "../platform.ts";
import { renderBlocks } from "../render.ts";
import type { Json, Request, Stage, Transcript } from "./stage.ts";

/** 4. What Tailscale was asked, and what the device has now. */
export function showTailscale(
  s: Stage,
  run: WorkflowRun,
  device: Json,
): CustomAttributes {
  const { tailscale } = s.app;
  const apiCalls = tailscale.calls.filter((c) =>
    !c.path.endsWith("/oauth/token")
  );
  s.sections.push({
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
  s.sections.push({
    title: `Custom attributes on ${
      device.text.text.split(" · ")[0]
    } afterwards`,
    lines: attrLines.length ? attrLines : ["  (none)"],
  });
  return attrs;
}

/** 5. Everyone's messages. */
export function showMessages(s: Stage, approverId: string): void {
  const { slack } = s.app;
  const { nameOf, style, profile } = s;
  const recipients = [...new Set([s.requester.id, approverId])];
  for (const id of recipients) {
    const received = slack.messagesIn(id);
    s.sections.push({
      title: `Messages ${nameOf(id)} received`,
      lines: received.flatMap((m, i) => [
        ...(i ? [style.dim("  ·")] : []),
        ...renderBlocks(m.blocks ?? [], nameOf, style),
      ]),
    });
  }
  if (profile.notifyChannel) {
    s.sections.push({
      title: `Messages in the notify channel ${profile.notifyChannel}`,
      lines: slack.messagesIn(profile.notifyChannel).flatMap((m) =>
        renderBlocks(m.blocks ?? [], nameOf, style)
      ),
    });
  }
}

/**
 * 6. The verdict: exactly what was decided, for exactly as long. The
 * request's run ends when the approver is asked; a decision runs as its
 * own workflow, from the button (none for a self-approval).
 */
export function judge(
  s: Stage,
  played: {
    run: WorkflowRun;
    request: Request;
    decidedAt: number;
    attrs: CustomAttributes;
  },
): Transcript {
  const { platform, slack, tailscale } = s.app;
  const { profile, opts } = s;
  const { run, decidedAt, attrs } = played;
  const { device, duration, approverId } = played.request;
  const decision = platform.runs.findLast((r) =>
    r.workflowId === "decide_tailscale_access"
  );
  const decided = !decision || decision.status === "completed";
  const value = attrs.attributes[profile.key];
  const expiry = attrs.expiries[profile.key];
  const wanted = decidedAt + duration * 1000;
  let ok: boolean;
  let verdict: string;
  if (opts.decision === "approve") {
    const drift = expiry ? Math.abs(Date.parse(expiry) - wanted) : Infinity;
    ok = value === true && drift < 15_000 && run.status === "completed" &&
      decided;
    verdict = ok
      ? `granted ${profile.key} = true on ${device.value} until ${expiry} (${
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
    sections: s.sections,
    ok,
    verdict,
    data: {
      requester: s.requester.id,
      approver: approverId,
      profile: profile.key,
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
