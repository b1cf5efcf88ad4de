/**
 * Group profiles beyond the policy file's text: each configured approver
 * (as a sample of the people who will ask) maps to a tailnet user the way
 * a group grant maps them (an admin's override, config.ts's
 * `tailscaleLogins`, else the Slack email); what membership in the group
 * opens, as Tailscale's `acl/preview` shows it; and whether the policy file
 * is managed outside the admin console, where the app's edits would be
 * overwritten. Only reads.
 *
 * @module
 */
import type { Config, Profile } from "../config_schema.ts";
import type { SlackClient } from "../context.ts";
import { LoginOverrides } from "../people/mod.ts";
import { addMember, removeMember } from "../policy/mod.ts";
import { errorText } from "../text.ts";
import type { SetupCheck } from "./report.ts";
import type { TailscaleAccess } from "./tailscale_checks.ts";

const line = (
  status: SetupCheck["status"],
  subject: string,
  text: string,
): SetupCheck => ({ status, section: "policy", subject, text });

/**
 * The lines for every group profile in `config` (none without one).
 *
 * @example
 * ```ts
 * checks.push(...await checkGroups(config, access, slack));
 * ```
 */
export async function checkGroups(
  config: Config,
  access: TailscaleAccess | null,
  slack?: SlackClient,
): Promise<SetupCheck[]> {
  const groups = config.profiles.filter((p) => p.group !== undefined);
  if (!groups.length || !access) return [];
  const checks: SetupCheck[] = [];
  for (const profile of groups) {
    checks.push(...await approverLogins(config, access, profile, slack));
  }
  checks.push(await managedOutside(access));
  return checks;
}

/** Where a Slack email's Tailscale login comes from, as group grants look it up. */
async function loginFor(
  config: Config,
  email: string,
  overrides: LoginOverrides | null,
): Promise<{ login: string; source: string }> {
  const override = await overrides?.get(email).catch(() => null);
  if (override) return { login: override.login, source: "an admin's override" };
  const mapped = config.tailscaleLogins[email];
  if (mapped) return { login: mapped, source: "config.ts's tailscaleLogins" };
  return { login: email, source: "the Slack email" };
}

/** One line per approver of `profile`: their login is a tailnet user. */
async function approverLogins(
  config: Config,
  access: TailscaleAccess,
  profile: Profile,
  slack?: SlackClient,
): Promise<SetupCheck[]> {
  const subject = profile.description;
  const emails = profile.approverEmails ?? [];
  if (!emails.length) {
    return [line("skip", subject, "no approverEmails to sample logins with")];
  }
  if (!access.users) {
    return [
      line("skip", subject, `logins not checked: ${access.usersProblem}`),
    ];
  }
  const overrides = slack ? new LoginOverrides(slack) : null;
  const known = new Map(
    access.users.map((u) => [u.loginName.toLowerCase(), u.loginName]),
  );
  const checks: SetupCheck[] = [];
  let sample: string | undefined;
  for (const email of emails) {
    const { login, source } = await loginFor(config, email, overrides);
    const user = known.get(login.toLowerCase());
    sample ??= user;
    checks.push(
      user
        ? line(
          "ok",
          subject,
          `approver ${email} is Tailscale user ${user} (from ${source})`,
        )
        : line(
          "fail",
          subject,
          `approver ${email} has no Tailscale user ${login} (from ` +
            `${source}), so the app could not add them to ${profile.group}: ` +
            `map the email in config.ts's tailscaleLogins, or set an ` +
            `override with the "Tailscale login overrides" shortcut`,
        ),
    );
  }
  if (sample) checks.push(await groupOpens(access, profile, sample));
  return checks;
}

/**
 * What being in the group opens for `login`: the rules Tailscale's
 * preview matches with the login in the group and not without it.
 */
async function groupOpens(
  access: TailscaleAccess,
  profile: Profile,
  login: string,
): Promise<SetupCheck> {
  const subject = profile.description;
  const group = profile.group!;
  const text = access.policyText;
  if (!text) {
    return line("skip", subject, `preview not run: ${access.policyProblem}`);
  }
  try {
    const query = { type: "user" as const, previewFor: login };
    const inGroup = await access.client.previewRuleMatches(
      addMember(text, group, login).text,
      query,
    );
    const outside = new Set(
      (await access.client.previewRuleMatches(
        removeMember(text, group, login).text,
        query,
      )).map((m) => m.ports.join(",")),
    );
    const added = inGroup.filter((m) => !outside.has(m.ports.join(",")));
    return added.length
      ? line(
        "ok",
        subject,
        `Tailscale's preview: ${group} adds ${added.length} rule${
          added.length === 1 ? "" : "s"
        } for ${login} (${
          added.flatMap((m) => m.ports).slice(0, 6).join(", ")
        })`,
      )
      : line(
        "warn",
        subject,
        `Tailscale's preview: being in ${group} opens nothing more for ` +
          `${login}: add ${group} to the src of the grants it should open`,
      );
  } catch (e) {
    return line("skip", subject, `preview not run: ${errorText(e)}`);
  }
}

/** ! when the tailnet's settings say the policy file is synced from elsewhere. */
async function managedOutside(access: TailscaleAccess): Promise<SetupCheck> {
  const subject = "policy file";
  if (!access.policyText) {
    return line(
      "skip",
      subject,
      `not checked whether it is managed outside the admin console: ${access.policyProblem}`,
    );
  }
  try {
    const settings = await access.client.getTailnetSettings();
    if (!settings.aclsExternallyManagedOn) {
      return line(
        "ok",
        subject,
        "managed in the admin console: the app's group edits stay",
      );
    }
    return line(
      "warn",
      subject,
      `the policy file is managed outside the admin console (${
        settings.aclsExternalLink ?? "no link given"
      }): the app's group edits would be overwritten by the next sync. ` +
        `Use attribute profiles (the app then never edits the file), or ` +
        `manage the file in the admin console`,
    );
  } catch (e) {
    return line(
      "skip",
      subject,
      `not checked whether it is managed outside the admin console: ${
        errorText(e)
      }`,
    );
  }
}
