/**
 * The schema of `config.ts`: access profiles an admin offers, validated with
 * zod when the app loads so that a mistake fails loudly (at `slack deploy`, in
 * `deno task test`) instead of surfacing as a broken form.
 *
 * @module
 */
import { z } from "zod";
import { refinePolicies } from "./config_policies.ts";

/** One day: the default and most common grant length. */
export const DEFAULT_MAX_SECONDS = 86_400;
/** Seven days: the longest grant a profile may offer. */
export const MAX_SECONDS_LIMIT = 7 * 86_400;
/** Thirty days: the longest a grant may run in all, with its extensions. */
export const MAX_EXTENDED_SECONDS_LIMIT = 30 * 86_400;
/** How long a request waits for a decision unless a profile says otherwise. */
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 86_400;
/** The most approvals a profile may require. */
export const MAX_APPROVALS_REQUIRED = 5;
/** Four hours: the longest an emergency (break-glass) grant may run. */
export const MAX_BREAK_GLASS_SECONDS = 4 * 3600;

/**
 * Tailscale's documented rules for custom posture attribute keys (spec:
 * the `attributeKey` parameter): the `custom:` namespace, at most 128
 * characters including it, letters, digits, `_` and `:` only. (50 is the
 * limit for string values, which the app never writes.)
 */
const AttributeKey = z.string()
  .startsWith("custom:", { message: 'must start with "custom:"' })
  .max(128, { message: "must be at most 128 characters long" })
  .regex(/^[A-Za-z0-9_:]+$/, {
    message: "may only contain letters, digits, underscores and colons",
  })
  .refine((key) => key.length > "custom:".length, {
    message: 'needs a name after "custom:"',
  });

/**
 * A group in the tailnet policy file: `group:` and a name of letters,
 * digits, `-`, `_` and `.`. Autogroups are Tailscale's own and cannot be
 * edited.
 */
const GroupName = z.string()
  .regex(/^group:[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
    message:
      'must be a policy-file group such as "group:prod" ("group:" then letters, digits, "-", "_" or ".")',
  })
  .max(100, { message: "must be at most 100 characters long" });

/** Public (C…) or private (G…) channel IDs as Slack shows them in "About". */
const ChannelId = z.string().regex(/^[CG][A-Z0-9]{6,}$/, {
  message:
    'must be a Slack channel ID such as "C06TH49GKHC" (channel details → About), not a channel name',
});

/** Slack user group IDs (S…), as shown in the group's details. */
const UsergroupId = z.string().regex(/^S[A-Z0-9]{6,}$/, {
  message:
    'must be a Slack user group ID such as "S0614TZR7" (group details → copy group ID), not its @handle',
});

/** A whole number of seconds; each field adds its own bounds. */
function wholeSeconds() {
  return z.number({ message: "must be a number of seconds" })
    .int({ message: "must be a whole number of seconds" });
}

// Trimmed and lower-cased first: Slack and Tailscale compare emails that way.
const Email = z.string().trim().toLowerCase().pipe(
  z.email({ message: "must be an email address" }),
);

/** One access profile, with the same field names as Tailscale's accessbot. */
export const ProfileSchema = z.object({
  /** Human-readable name, shown in the form and in every message. */
  description: z.string().trim().min(1, { message: "must not be empty" })
    .max(75, {
      message: "must be at most 75 characters (Slack's option text limit)",
    }),
  /**
   * The custom posture attribute set to `true` on the chosen device while
   * access lasts. A profile has this or `group`, never both.
   */
  attribute: AttributeKey.optional(),
  /**
   * The policy-file group the requester (their Tailscale login) is a member
   * of while access lasts. A profile has this or `attribute`, never both.
   */
  group: GroupName.optional(),
  /** Longest grant offered, in seconds. */
  maxSeconds: wholeSeconds()
    .positive({ message: "must be positive" })
    .max(MAX_SECONDS_LIMIT, {
      message: `must be at most ${MAX_SECONDS_LIMIT} (7 days)`,
    })
    .default(DEFAULT_MAX_SECONDS),
  /** Channel told about every decision. */
  notifyChannel: ChannelId.optional(),
  /** Who may approve; when absent, anyone in the workspace may. */
  approverEmails: z.array(Email).optional(),
  /** Whether requesters may name themselves as approver. */
  canSelfApprove: z.boolean().default(false),
  /** Whether a self-approver still gets (and must click) the approval prompt. */
  confirmSelfApproval: z.boolean().default(false),
  /**
   * Whether requesters may choose devices that are not their own (tagged
   * servers, jump hosts, someone else's laptop). Off: only untagged devices
   * registered with the requester's Slack email.
   */
  allowAnyDevice: z.boolean().default(false),
  /**
   * Longest a grant may run in all, from its start through every extension,
   * in seconds. Defaults to `maxSeconds` (no extension beyond it).
   */
  maxExtendedSeconds: wholeSeconds()
    .positive({ message: "must be positive" })
    .max(MAX_EXTENDED_SECONDS_LIMIT, {
      message: `must be at most ${MAX_EXTENDED_SECONDS_LIMIT} (30 days)`,
    })
    .optional(),
  /** How long a request waits for a decision before it expires, in seconds. */
  requestTimeoutSeconds: wholeSeconds()
    .min(300, { message: "must be at least 300 (5 minutes)" })
    .max(MAX_SECONDS_LIMIT, {
      message: `must be at most ${MAX_SECONDS_LIMIT} (7 days)`,
    })
    .default(DEFAULT_REQUEST_TIMEOUT_SECONDS),
  /** Slack user groups whose members may approve (checked at click time). */
  approverGroups: z.array(UsergroupId).optional(),
  /**
   * Who may request this profile, with `requesterGroups`: when either is
   * set, only those people see it in the form and may submit or extend.
   * Absent (both): anyone in the workspace who is a full member.
   */
  requesterEmails: z.array(Email).optional(),
  /** Slack user groups whose members may request this profile. */
  requesterGroups: z.array(UsergroupId).optional(),
  /**
   * Whether guests (single- and multi-channel) may request this profile.
   * Guests never approve.
   */
  allowGuests: z.boolean().default(false),
  /**
   * How many distinct approvers must approve (the requester never counts).
   * Above 1, the request goes to every eligible approver at once.
   */
  approvalsRequired: z.number({ message: "must be a number" })
    .int({ message: "must be a whole number" })
    .min(1, { message: "must be at least 1" })
    .max(MAX_APPROVALS_REQUIRED, {
      message: `must be at most ${MAX_APPROVALS_REQUIRED}`,
    })
    .default(1),
  /**
   * Seconds after which an undecided request is offered to every other
   * eligible approver (and posted to `notifyChannel`); absent: never.
   */
  escalateAfterSeconds: wholeSeconds()
    .min(60, { message: "must be at least 60 (1 minute)" })
    .optional(),
  /**
   * Emergency access without an approver, announced loudly: the form
   * offers "Emergency: grant now" for at most `maxSeconds`.
   */
  breakGlass: z.object({
    maxSeconds: wholeSeconds()
      .positive({ message: "must be positive" })
      .max(MAX_BREAK_GLASS_SECONDS, {
        message: `must be at most ${MAX_BREAK_GLASS_SECONDS} (4 hours)`,
      }),
  }, { message: "must be an object such as { maxSeconds: 3600 }" }).strict()
    .optional(),
}).strict().superRefine((p, ctx) => {
  if ((p.attribute === undefined) === (p.group === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: [p.attribute === undefined ? "attribute" : "group"],
      message: p.attribute === undefined
        ? 'needs either "attribute" (a device posture attribute) or "group" (a policy-file group)'
        : 'cannot have both "attribute" and "group": a profile grants one or the other',
    });
  }
  if (p.group !== undefined && p.allowAnyDevice) {
    ctx.addIssue({
      code: "custom",
      path: ["allowAnyDevice"],
      message:
        "does not apply to a group profile: group access follows the person, not a device",
    });
  }
  refinePolicies(p, ctx);
  if (
    p.maxExtendedSeconds !== undefined && p.maxExtendedSeconds < p.maxSeconds
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["maxExtendedSeconds"],
      message: `must be at least maxSeconds (${p.maxSeconds})`,
    });
  }
}).transform((p) => ({
  ...p,
  /** The profile's identity: its attribute key or its group. */
  key: (p.attribute ?? p.group)!,
  maxExtendedSeconds: p.maxExtendedSeconds ?? p.maxSeconds,
}));

/** Slack email → Tailscale login, for people whose logins differ. */
const LoginMap = z.record(Email, Email, {
  message: "must map Slack emails to Tailscale logins",
});

/** The whole configuration: at least one profile, attributes unique. */
export const ConfigSchema = z.object({
  profiles: z.array(ProfileSchema).min(1, {
    message: "must list at least one profile",
  }),
  /**
   * Tailnet admins: they see every grant and pending request in "My
   * Tailscale access" and may revoke any grant (with a reason).
   */
  admins: z.array(Email).default([]),
  /**
   * Slack email → Tailscale login, for group profiles, where someone's
   * Tailscale login is not their Slack email. Overrides an admin sets with
   * the "Tailscale login overrides" shortcut take precedence.
   */
  tailscaleLogins: LoginMap.default({}),
}).strict().superRefine((config, ctx) => {
  const seen = new Map<string, number>();
  config.profiles.forEach((profile, index) => {
    // A profile that failed its own checks has no key to compare.
    if (typeof profile.key !== "string") return;
    // Tailscale compares attribute keys case-insensitively.
    const key = profile.key.toLowerCase();
    const field = profile.attribute !== undefined ? "attribute" : "group";
    const first = seen.get(key);
    if (first !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["profiles", index, field],
        message: `"${profile.key}" is already used by profile ${first + 1} (${
          field === "group" ? "groups" : "attribute keys"
        } are compared case-insensitively)`,
      });
    } else {
      seen.set(key, index);
    }
  });
});

/** A profile after validation, with defaults filled in. */
export type Profile = z.output<typeof ProfileSchema>;
/** A validated configuration. */
export type Config = z.output<typeof ConfigSchema>;
/** What an admin writes in `config.ts` (defaults may be left out). */
export type ConfigInput = z.input<typeof ConfigSchema>;

/** Raised when `config.ts` does not satisfy {@linkcode ConfigSchema}. */
export class ConfigError extends Error {
  /** One line per problem, each naming the profile and field. */
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      `config.ts is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/**
 * Validates raw configuration and fills in defaults. `config.ts` calls it
 * on the admin's object, so a mistake stops the app at load time.
 *
 * @throws {ConfigError} naming every offending profile and field.
 *
 * @example
 * ```ts
 * const config = parseConfig({
 *   profiles: [{ description: "Production", attribute: "custom:prod" }],
 * });
 * config.profiles[0].maxSeconds; // 86400 (the default)
 * config.profiles[0].key; // "custom:prod"
 *
 * parseConfig({ profiles: [{ description: "Prod", attribute: "prodAccess" }] });
 * // throws ConfigError: profile 1 ("Prod") field "attribute": must start with "custom:"
 * ```
 */
export function parseConfig(raw: unknown): Config {
  const result = ConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => describeIssue(raw, issue)),
  );
}

function describeIssue(raw: unknown, issue: z.core.$ZodIssue): string {
  const [top, index, field, ...rest] = issue.path;
  if (top === "profiles" && typeof index === "number") {
    const profiles = (raw as { profiles?: unknown[] })?.profiles;
    const description = (profiles?.[index] as { description?: unknown })
      ?.description;
    const name = typeof description === "string" && description.trim()
      ? ` ("${description.trim()}")`
      : "";
    const where = field === undefined
      ? ""
      : ` field "${[field, ...rest].join(".")}"`;
    return `profile ${index + 1}${name}${where}: ${messageOf(issue)}`;
  }
  const where = issue.path.length ? `"${issue.path.join(".")}"` : "config";
  return `${where}: ${messageOf(issue)}`;
}

/** zod's message, except that unknown fields are named. */
function messageOf(issue: z.core.$ZodIssue): string {
  return issue.code === "unrecognized_keys"
    ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`
    : issue.message;
}

/**
 * Finds a profile by its key (its attribute or group: the profile's
 * identity, stored on every request as `attribute`). Undefined when the
 * profile has since been removed from `config.ts`.
 *
 * @example
 * ```ts
 * const profile = findProfile(config, request.attribute);
 * if (!profile) return; // the profile was removed since the request
 * ```
 */
export function findProfile(
  config: Config,
  key: string,
): Profile | undefined {
  return config.profiles.find((p) => p.key === key);
}
