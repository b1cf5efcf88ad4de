/**
 * A setup report: the lines every check gives (✓ / ✗ / ! / –), printed for
 * a terminal (`deno task doctor`), as data (`--json`), or as Slack messages
 * (the "Check Tailscale access setup" shortcut). Pure.
 *
 * @module
 */
import { escapeMrkdwn, truncate } from "../devices/mod.ts";

/** ✓ passed, ✗ failed (with the fix), ! a warning, – skipped (and why). */
export type CheckStatus = "ok" | "fail" | "warn" | "skip";

/** Which part of the setup a line is about, in the report's order. */
export type CheckSection = "config" | "tailscale" | "policy" | "slack";

/** One line of the report. */
export type SetupCheck = {
  status: CheckStatus;
  section: CheckSection;
  /** What the line is about: a profile, a scope, an email, a channel. */
  subject: string;
  /** One sentence; for a failure, the fix in words. */
  text: string;
};

/** The mark printed before each status. */
export const STATUS_MARK: Record<CheckStatus, string> = {
  ok: "✓",
  fail: "✗",
  warn: "!",
  skip: "–",
};

/** Each section's heading, in the report's order. */
export const SECTION_TITLES: Record<CheckSection, string> = {
  config: "config.ts",
  tailscale: "Tailscale OAuth client",
  policy: "Tailnet policy file",
  slack: "Slack",
};

/**
 * Whether any line failed: `deno task doctor` exits 1 then.
 *
 * @example
 * ```ts
 * if (hasFailure(checks)) Deno.exit(1);
 * ```
 */
export function hasFailure(checks: readonly SetupCheck[]): boolean {
  return checks.some((c) => c.status === "fail");
}

/**
 * The report as data, for `deno task doctor --json`: `ok` is false when any
 * line failed.
 *
 * @example
 * ```ts
 * console.log(JSON.stringify(reportJson(checks), null, 2));
 * ```
 */
export function reportJson(
  checks: readonly SetupCheck[],
): { ok: boolean; checks: SetupCheck[] } {
  return { ok: !hasFailure(checks), checks: [...checks] };
}

/** The lines of one section, or none. */
function sections(checks: readonly SetupCheck[]) {
  return (Object.keys(SECTION_TITLES) as CheckSection[])
    .map((section) => ({
      section,
      lines: checks.filter((c) => c.section === section),
    }))
    .filter((s) => s.lines.length > 0);
}

/**
 * The closing line: how many of each, and what to do next.
 *
 * @example
 * ```ts
 * summaryLine(checks); // "2 ✗ failed, 1 ! warning, 9 ✓ passed, 1 – skipped: fix each ✗ above, then run the checks again."
 * ```
 */
export function summaryLine(checks: readonly SetupCheck[]): string {
  const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  const parts = [
    [count("fail"), "✗ failed"],
    [count("warn"), `! warning${count("warn") === 1 ? "" : "s"}`],
    [count("ok"), "✓ passed"],
    [count("skip"), "– skipped"],
  ].filter(([n]) => n !== 0).map(([n, what]) => `${n} ${what}`);
  const next = hasFailure(checks)
    ? "fix each ✗ above, then run the checks again."
    : count("warn")
    ? "nothing fails; read each ! above."
    : count("skip")
    ? "nothing fails, but each – above was not checked."
    : "the setup is complete.";
  return `${parts.join(", ") || "nothing checked"}: ${next}`;
}

/**
 * The report for a terminal: each section under its heading, one line per
 * check (mark, subject, text), and a closing summary line.
 *
 * @example
 * ```ts
 * console.log(formatReport(checks));
 * // config.ts
 * //   ✓ config.ts: 2 profiles, valid
 * // …
 * ```
 */
export function formatReport(checks: readonly SetupCheck[]): string {
  const out: string[] = [];
  for (const { section, lines } of sections(checks)) {
    out.push(SECTION_TITLES[section]);
    for (const c of lines) {
      out.push(`  ${STATUS_MARK[c.status]} ${c.subject}: ${c.text}`);
    }
    out.push("");
  }
  out.push(summaryLine(checks));
  return out.join("\n");
}

/** Slack's advice for a message's `text`: keep it under 4,000 characters. */
export const SLACK_TEXT_LIMIT = 3_500;

/**
 * The report as Slack mrkdwn, split at line boundaries into messages of at
 * most {@linkcode SLACK_TEXT_LIMIT} characters each (a long report becomes
 * several DMs, never a truncated one). Subjects and texts are escaped, so a
 * `<` in a Tailscale message cannot become a link or a mention.
 *
 * @example
 * ```ts
 * for (const text of reportMessages(checks)) {
 *   await client.chat.postMessage({ channel: userId, text });
 * }
 * ```
 */
export function reportMessages(
  checks: readonly SetupCheck[],
  title = "*Tailscale access setup check*",
): string[] {
  const lines = [title];
  for (const { section, lines: items } of sections(checks)) {
    lines.push(`*${SECTION_TITLES[section]}*`);
    for (const c of items) {
      lines.push(
        `${STATUS_MARK[c.status]} *${escapeMrkdwn(c.subject)}*: ${
          escapeMrkdwn(c.text)
        }`,
      );
    }
  }
  lines.push(escapeMrkdwn(summaryLine(checks)));
  return chunkLines(lines, SLACK_TEXT_LIMIT);
}

/** Lines joined into texts of at most `limit` characters (a longer line is cut). */
function chunkLines(lines: string[], limit: number): string[] {
  const chunks: string[] = [];
  let current = "";
  for (const raw of lines) {
    const line = truncate(raw, limit);
    if (current && current.length + 1 + line.length > limit) {
      chunks.push(current);
      current = line;
    } else {
      current = current ? `${current}\n${line}` : line;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}
