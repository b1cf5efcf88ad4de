/**
 * The Slack side of the setup, with the app's (or `SLACK_BOT_TOKEN`'s)
 * client: every approver and requester email is an active person, every
 * approver and requester user group exists and has members, the app can
 * post to every notify channel, and every admin email resolves. Only reads.
 *
 * @module
 */
import type { Config } from "../config_schema.ts";
import type { SlackClient } from "../context.ts";
import { toAccount } from "../people/mod.ts";
import { errorText } from "../text.ts";
import { lineIn, type SetupCheck } from "./report.ts";

const line = lineIn("slack");

/** A Slack answer, or the error code (thrown ones included). */
type Answer = { ok: boolean; error?: string; [key: string]: unknown };

async function call(
  method: () => Promise<Answer>,
): Promise<Answer> {
  try {
    return await method();
  } catch (e) {
    return { ok: false, error: errorText(e) };
  }
}

/**
 * A Slack answer that is not the expected one, in words: a missing scope
 * means the deployed app predates the manifest's scopes.
 */
function slackProblem(method: string, error: unknown, scopes: string): string {
  return error === "missing_scope"
    ? `Slack's ${method} needs ${scopes}, which the app lacks: run slack ` +
      `deploy again so it gets the manifest's scopes`
    : `Slack's ${method} answered ${error}`;
}

/** The profiles (by description) that name `value` in `pick`. */
function namedBy(
  config: Config,
  pick: (p: Config["profiles"][number]) => readonly string[] | undefined,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of config.profiles) {
    for (const value of pick(p) ?? []) {
      out.set(value, [...out.get(value) ?? [], p.description]);
    }
  }
  return out;
}

/**
 * Every Slack line for `config`; one skipped line without a client.
 *
 * @example
 * ```ts
 * checks.push(...await checkSlack(config, client));
 * ```
 */
export async function checkSlack(
  config: Config,
  client: SlackClient | undefined,
): Promise<SetupCheck[]> {
  if (!client) {
    return [line(
      "skip",
      "Slack",
      "not checked: no Slack token (set SLACK_BOT_TOKEN, the app's bot " +
        'token, in the environment or .env; or run the "Check Tailscale ' +
        'access setup" shortcut in Slack)',
    )];
  }
  const checks: SetupCheck[] = [];
  for (const [email, profiles] of namedBy(config, (p) => p.approverEmails)) {
    checks.push(await person(client, email, "approver", profiles));
  }
  for (const [id, profiles] of namedBy(config, (p) => p.approverGroups)) {
    checks.push(await usergroup(client, id, "approver", profiles));
  }
  for (const [email, profiles] of namedBy(config, (p) => p.requesterEmails)) {
    checks.push(await person(client, email, "requester", profiles));
  }
  for (const [id, profiles] of namedBy(config, (p) => p.requesterGroups)) {
    checks.push(await usergroup(client, id, "requester", profiles));
  }
  const channels = namedBy(
    config,
    (p) => p.notifyChannel ? [p.notifyChannel] : [],
  );
  let appName: string | undefined;
  for (const [id, profiles] of channels) {
    appName ??= await botName(client);
    checks.push(await channel(client, id, profiles, appName));
  }
  for (const email of config.admins) {
    checks.push(await person(client, email, "admin", []));
  }
  if (!checks.length) {
    checks.push(line(
      "skip",
      "Slack",
      "config.ts names no approver, user group, notify channel or admin",
    ));
  }
  return checks;
}

/** Where an email or group sits in config.ts. */
type Role = "approver" | "requester" | "admin";

const EMAIL_FIELDS: Record<Role, string> = {
  approver: "approverEmails",
  requester: "requesterEmails",
  admin: "admins",
};

/** An email is an active, human Slack user. */
async function person(
  client: SlackClient,
  email: string,
  kind: Role,
  profiles: string[],
): Promise<SetupCheck> {
  const res = await call(() => client.users.lookupByEmail({ email }));
  const field = EMAIL_FIELDS[kind];
  const role = profiles.length ? `${kind} for ${profiles.join(", ")}` : kind;
  if (!res.ok) {
    return line(
      "fail",
      email,
      res.error === "users_not_found"
        ? `${role}: no active Slack user has this email (a deactivated ` +
          `account is not found either): fix ${field} in config.ts`
        : `${role}: ${
          slackProblem("users.lookupByEmail", res.error, "users:read.email")
        }`,
    );
  }
  // The same reading of the account as at a click (lib/people).
  const account = toAccount(res.user);
  if (account?.kind === "deactivated") {
    return line(
      "fail",
      email,
      `${role}: the Slack account is deactivated: fix ${field} in config.ts`,
    );
  }
  if (account?.kind === "bot") {
    return line(
      "fail",
      email,
      `${role}: this is a bot, who cannot ${
        kind === "requester" ? "request access" : "click Approve"
      }: fix ${field} in config.ts`,
    );
  }
  if (account?.kind === "guest" && kind === "requester") {
    return line(
      "warn",
      email,
      `${role}: this is a guest account, who may request only a profile ` +
        `with allowGuests: true`,
    );
  }
  if (account?.kind === "guest" && kind === "approver") {
    return line(
      "fail",
      email,
      `${role}: this is a guest account, and only full members of the ` +
        `workspace approve: fix ${field} in config.ts`,
    );
  }
  const user = res.user as { real_name?: string };
  return line(
    "ok",
    email,
    `${role}: active Slack user${user?.real_name ? ` ${user.real_name}` : ""}`,
  );
}

/** A user group exists (and is enabled) and has members. */
async function usergroup(
  client: SlackClient,
  id: string,
  kind: "approver" | "requester",
  profiles: string[],
): Promise<SetupCheck> {
  const role = `${kind} group for ${profiles.join(", ")}`;
  const field = `${kind}Groups`;
  const verb = kind === "approver" ? "approve" : "request access";
  const res = await call(() => client.usergroups.users.list({ usergroup: id }));
  if (!res.ok) {
    return line(
      "fail",
      id,
      res.error === "no_such_subteam"
        ? `${role}: no such Slack user group, or it is disabled: fix ` +
          `${field} in config.ts (the group's ID, from its details)`
        : `${role}: ${
          slackProblem("usergroups.users.list", res.error, "usergroups:read")
        }`,
    );
  }
  const members = Array.isArray(res.users) ? res.users.length : 0;
  return members
    ? line("ok", id, `${role}: ${members} member${members === 1 ? "" : "s"}`)
    : line(
      "fail",
      id,
      `${role}: the user group has no members, so nobody can ${verb} ` +
        `through it: add people to it in Slack, or fix ${field}`,
    );
}

/** The bot's name for the invite instruction (`@name`). */
async function botName(client: SlackClient): Promise<string> {
  const res = await call(() => client.auth.test({}));
  return res.ok && typeof res.user === "string" ? res.user : "Tailscale Access";
}

/**
 * The app can post to a notify channel: it exists, is not archived, and is
 * public (`chat:write.public`) or has the app in it. A private channel the
 * app is not in answers `channel_not_found`, like a wrong ID.
 */
async function channel(
  client: SlackClient,
  id: string,
  profiles: string[],
  appName: string,
): Promise<SetupCheck> {
  const role = `notify channel for ${profiles.join(", ")}`;
  const invite = `invite the app: /invite @${appName} in the channel`;
  const res = await call(() => client.conversations.info({ channel: id }));
  if (!res.ok) {
    return line(
      "fail",
      id,
      res.error === "channel_not_found"
        ? `${role}: not found: if it is a private channel, ${invite}; ` +
          `otherwise fix notifyChannel in config.ts (the ID from the ` +
          `channel's details → About)`
        : `${role}: ${
          slackProblem(
            "conversations.info",
            res.error,
            "channels:read and groups:read",
          )
        }`,
    );
  }
  const c = res.channel as {
    name?: string;
    is_private?: boolean;
    is_member?: boolean;
    is_archived?: boolean;
  };
  const name = c?.name ? `#${c.name}` : id;
  if (c?.is_archived) {
    return line(
      "fail",
      id,
      `${role}: ${name} is archived: unarchive it or fix notifyChannel`,
    );
  }
  if (c?.is_private && !c.is_member) {
    return line("fail", id, `${role}: ${name} is private: ${invite}`);
  }
  return line(
    "ok",
    id,
    `${role}: the app can post to ${name}${
      c?.is_private ? " (private, the app is a member)" : ""
    }`,
  );
}
