/**
 * The policy file's lines: what `analysePolicy` reads from the file alone,
 * then Tailscale itself, asked with ACL tests against the live policy
 * (`acl/validate`, which changes nothing) whether each attribute profile's
 * attribute opens something and whether that is closed without it.
 *
 * @module
 */
import type { Config, Profile } from "../config_schema.ts";
import { analysePolicy } from "../policy/mod.ts";
import { errorText } from "../text.ts";
import type { SetupCheck } from "./report.ts";
import { chooseRuleTest, type RuleTest } from "./rule_targets.ts";
import type { TailscaleAccess } from "./tailscale_checks.ts";

/** Where each failing line points for the text to paste. */
const SNIPPET = "deno task policy prints what to paste";

const line = (
  status: SetupCheck["status"],
  subject: string,
  text: string,
): SetupCheck => ({ status, section: "policy", subject, text });

/**
 * The policy lines for `config`, or one skipped line saying why the policy
 * could not be read (`problem`).
 *
 * @example
 * ```ts
 * const lines = await checkPolicy(config, access, "no Tailscale credentials");
 * ```
 */
export async function checkPolicy(
  config: Config,
  access: TailscaleAccess | null,
  problem = "no Tailscale access",
): Promise<{ checks: SetupCheck[]; analysed: SetupCheck[] }> {
  if (!access?.policyText) {
    const why = access?.policyProblem ?? problem;
    return {
      checks: [line("skip", "policy file", `not checked: ${why}`)],
      analysed: [],
    };
  }
  const text = access.policyText;
  const analysed = analysePolicy(text, config).map((c) =>
    line(
      c.status,
      c.subject,
      c.status === "fail" && c.subject !== "policy file"
        ? `${c.text} (${SNIPPET})`
        : c.text,
    )
  );
  const checks = [...analysed];
  if (analysed.some((c) => c.subject === "policy file")) {
    return { checks, analysed };
  }
  for (const profile of config.profiles) {
    if (profile.attribute === undefined) continue;
    // analysePolicy gives an attribute profile's posture line first.
    const posture = analysed.find((c) => c.subject === profile.description);
    checks.push(
      posture?.status === "ok"
        ? await attributeTest(config, access, text, profile, profile.attribute)
        : line(
          "skip",
          profile.description,
          `Tailscale's test not run: no rule uses a posture requiring ` +
            `${profile.attribute} (see above)`,
        ),
    );
  }
  return { checks, analysed };
}

/**
 * Logins that stand for `autogroup:member` and `*`: the tailnet's active
 * users, else the approvers' logins (config.ts's map applied).
 */
function everyone(config: Config, access: TailscaleAccess): string[] {
  const active = (access.users ?? [])
    .filter((u) => u.status === "active")
    .map((u) => u.loginName);
  if (active.length) return active;
  return config.profiles.flatMap((p) => p.approverEmails ?? [])
    .map((email) => config.tailscaleLogins[email] ?? email);
}

/** Whether Tailscale's tests pass (no error lines). */
async function passes(
  access: TailscaleAccess,
  test: Parameters<TailscaleAccess["client"]["runPolicyTests"]>[0][number],
): Promise<{ ok: boolean; said: string }> {
  const { errors } = await access.client.runPolicyTests([test]);
  return { ok: errors.length === 0, said: errors.join("; ") };
}

/** Test A (with the attribute: accepted) and test B (without: denied). */
async function attributeTest(
  config: Config,
  access: TailscaleAccess,
  text: string,
  profile: Profile,
  attribute: string,
): Promise<SetupCheck> {
  const subject = profile.description;
  const choice = chooseRuleTest(text, attribute, everyone(config, access));
  if (!choice.ok) {
    return line("skip", subject, `Tailscale's test not run: ${choice.reason}`);
  }
  const { src, destination, rule }: RuleTest = choice.test;
  try {
    const withAttr = await passes(access, {
      src,
      srcPostureAttrs: { [attribute]: true },
      accept: [destination],
    });
    if (!withAttr.ok) {
      return line(
        "fail",
        subject,
        `approving ${profile.description} changes no access: Tailscale's ` +
          `test from ${src} with ${attribute} = true to ${destination} ` +
          `(${rule}) was not accepted (${withAttr.said}). Check that ` +
          `rule's src, dst and srcPosture (${SNIPPET})`,
      );
    }
    const without = await passes(access, { src, deny: [destination] });
    if (!without.ok) {
      return line(
        "warn",
        subject,
        `${profile.description} is already open without the attribute: ` +
          `${src} reaches ${destination} without ${attribute}, so ` +
          `approving it adds nothing there. Find the rule that opens it ` +
          `without the posture and add the posture to its srcPosture`,
      );
    }
    return line(
      "ok",
      subject,
      `Tailscale confirms: ${src} reaches ${destination} (${rule}) with ` +
        `${attribute} and not without it`,
    );
  } catch (e) {
    return line(
      "fail",
      subject,
      `Tailscale could not run the test from ${src} to ${destination} ` +
        `(${rule}): ${errorText(e)}`,
    );
  }
}
