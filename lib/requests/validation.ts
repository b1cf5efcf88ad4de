/**
 * The request form's rules, checked on submission whatever the client
 * sent: a profile still offered, someone able to approve, a device for a
 * device profile, a duration within the profile's limit, an allowed
 * approver, a reason; then, with Tailscale, that the device may carry the
 * grant or that the group exists and the requester's login is known.
 * Problems come back by field, in the words the form shows; the function
 * places them on the form's blocks (see `errorsByBlock`).
 *
 * The duration, reason and approver rules take the profile and the value
 * alone; the extension form applies the reason and approver rules too (in
 * its own words for a missing reason), and offers its lengths instead.
 *
 * @module
 */
import { type Config, findProfile, type Profile } from "../config_schema.ts";
import { MAX_REASON_LENGTH } from "../blocks/mod.ts";
import { checkDevice, PICKER_ERROR_VALUE } from "../devices/mod.ts";
import { formatDuration } from "../durations.ts";
import { checkRequester, lookupAccount, lookupPerson } from "../people/mod.ts";
import { approverGroupMembers, approverProblem } from "../review/mod.ts";
import type { Field, FieldErrors, FormState } from "../slack/mod.ts";
import type { ClientResult, Device } from "../tailscale/mod.ts";
import type { SlackClient } from "../context.ts";
import { checkGroupAccess } from "./group_access.ts";
import { startProblem } from "./start.ts";
import { emergencyChoice } from "./break_glass.ts";

/** An emergency grant with a later start chosen. */
export const EMERGENCY_STARTS_NOW =
  "An emergency grant starts now: leave the start empty, or choose “Ask an approver” to start later.";

/** The request form's message for a missing reason. */
export const REASON_MISSING = "Say why you need access.";
/** The message for a form sent without an approver chosen. */
export const APPROVER_MISSING = "Choose who should approve.";

/**
 * Why `reason` (trimmed) cannot be sent, or null: it is required
 * (`missing` says so) and at most {@linkcode MAX_REASON_LENGTH} long.
 *
 * @example
 * ```ts
 * reasonProblem(""); // "Say why you need access."
 * reasonProblem("", "Say why you need more time."); // the extension's words
 * reasonProblem("INC-123"); // null
 * ```
 */
export function reasonProblem(
  reason: string,
  missing: string = REASON_MISSING,
): string | null {
  if (!reason) return missing;
  if (reason.length > MAX_REASON_LENGTH) {
    return `Keep the reason within ${MAX_REASON_LENGTH} characters.`;
  }
  return null;
}

/**
 * Why `seconds` is not a duration `profile` allows, or null: a whole
 * positive number of seconds, at most the profile's `maxSeconds`.
 *
 * @example
 * ```ts
 * durationProblem(Number(form.values.duration), profile);
 * ```
 */
export function durationProblem(
  seconds: number,
  profile: Pick<Profile, "description" | "maxSeconds">,
): string | null {
  if (!Number.isInteger(seconds) || seconds <= 0) {
    return "Choose how long you need access.";
  }
  if (seconds > profile.maxSeconds) {
    return `${profile.description} allows at most ${
      formatDuration(profile.maxSeconds)
    }.`;
  }
  return null;
}

/**
 * Why the picker's value is no device choice for `profile`, or null: a
 * device profile needs one (the picker's error option is none), a group
 * profile none.
 */
export function deviceChoiceProblem(
  profile: Profile,
  value: string | undefined,
): string | null {
  if (profile.group || (value && value !== PICKER_ERROR_VALUE)) return null;
  return "Choose the device you will use.";
}

/**
 * Why `approverId` may not approve `profile` for the requester, or null:
 * someone must be chosen, Slack must know them, and they must be allowed
 * (looked up now: the profile's approver emails and groups).
 */
export async function checkApprover(
  client: SlackClient,
  profile: Profile,
  requesterId: string,
  approverId: string,
): Promise<string | null> {
  if (!approverId) return APPROVER_MISSING;
  // Any account, so that a deactivated one or a bot is named for what it is.
  const [person, members] = await Promise.all([
    lookupAccount(client, approverId),
    approverGroupMembers(client, profile),
  ]);
  return approverProblem(profile, requesterId, person, members);
}

/** What a request form asks for, once its rules pass. */
export type RequestChoices = {
  profile: Profile;
  /** The picked device's node ID; "" for a group profile. */
  deviceId: string;
  durationSeconds: number;
  approverId: string;
  /** Trimmed. */
  reason: string;
  /** "Emergency: grant now" (break-glass): no approver, granted at once. */
  breakGlass?: boolean;
};

/** A form's choices, or its problems by field. */
export type FormCheck =
  | { ok: true; choices: RequestChoices }
  | { ok: false; errors: FieldErrors };

/** Drops the fields without a problem. */
function problemsOf(all: Record<Field, string | null>): FieldErrors {
  const errors: FieldErrors = {};
  for (const [field, message] of Object.entries(all)) {
    if (message !== null) errors[field as Field] = message;
  }
  return errors;
}

/**
 * The request form's rules, given what the approver lookup found
 * (`approver`: {@linkcode checkApprover}'s answer for the chosen one) and
 * why the requester may not ask for the chosen profile (`requester`, see
 * `checkRequester`; null when they may). An unknown profile is the only
 * problem reported; so is one the requester may not ask for, and a form
 * that showed nobody can approve (it has no other fields).
 */
export function requestFormRules(
  form: FormState,
  config: Config,
  approver: string | null,
  requester: string | null = null,
): FormCheck {
  const v = form.values;
  const profile = v.profile ? findProfile(config, v.profile) : undefined;
  if (!profile) {
    return {
      ok: false,
      errors: {
        profile: v.profile
          ? "This access profile is no longer offered. Choose another one."
          : "Choose what you want to access.",
      },
    };
  }
  // A profile the form never offered them (a forged submission, or one
  // they were removed from since) is refused whatever else was sent.
  if (requester) return { ok: false, errors: { profile: requester } };
  if (!form.blockIds.approver) {
    // The form showed why nobody can approve; it has no other fields.
    return {
      ok: false,
      errors: {
        profile: "Nobody can approve this profile for you; see the note below.",
      },
    };
  }
  const durationSeconds = Number(v.duration);
  const reason = (v.reason ?? "").trim();
  const urgent = emergencyChoice(profile, v.emergency, durationSeconds, reason);
  const errors = problemsOf({
    profile: null,
    device: deviceChoiceProblem(profile, v.device),
    duration: durationProblem(durationSeconds, profile),
    // An emergency grant needs no approver: the field is ignored.
    approver: urgent.emergency
      ? null
      : v.approver
      ? approver
      : APPROVER_MISSING,
    reason: reasonProblem(reason),
    // An emergency is now: a later start would make it neither.
    start: urgent.emergency && v.start
      ? EMERGENCY_STARTS_NOW
      : startProblem(v.start),
    emergency: null,
    ...urgent.errors,
  });
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    choices: {
      profile,
      deviceId: profile.group ? "" : v.device ?? "",
      durationSeconds,
      approverId: v.approver ?? "",
      reason,
      ...(urgent.emergency ? { breakGlass: true } : {}),
    },
  };
}

/**
 * Checks a submitted request form: {@linkcode requestFormRules}, with the
 * chosen approver looked up when the form has an approver field.
 *
 * @example
 * ```ts
 * const checked = await validateRequestForm(client, config, form, "U123");
 * if (!checked.ok) {
 *   return { response_action: "errors",
 *     errors: errorsByBlock(form, checked.errors, FIELD.profile) };
 * }
 * ```
 */
export async function validateRequestForm(
  client: SlackClient,
  config: Config,
  form: FormState,
  requesterId: string,
): Promise<FormCheck> {
  const chosen = form.values.profile;
  const profile = chosen ? findProfile(config, chosen) : undefined;
  const [approver, requester] = await Promise.all([
    profile && form.blockIds.approver
      ? checkApprover(client, profile, requesterId, form.values.approver ?? "")
      : null,
    profile ? checkRequester(client, profile, requesterId) : null,
  ]);
  return requestFormRules(form, config, approver, requester);
}

/** What a checked target adds to the request. */
export type TargetCheck =
  | { ok: true; device?: Device; login?: string }
  | { ok: false; errors: FieldErrors };

/**
 * Checks what a valid form would grant on, with Tailscale: for a group
 * profile, the requester's login (and that the group exists); else that
 * the device may carry the grant (see `checkDevice`). A problem is on the
 * profile field for a group profile, else on the device field.
 *
 * @example
 * ```ts
 * const built = tailscaleFromEnv(env, client, deadline);
 * const target = await checkRequestTarget(built, client, config,
 *   checked.choices, "U123", true);
 * if (target.ok) request.login = target.login;
 * ```
 */
export async function checkRequestTarget(
  tailscale: ClientResult,
  client: SlackClient,
  config: Config,
  choices: RequestChoices,
  requesterId: string,
  useCache: boolean,
): Promise<TargetCheck> {
  const { profile } = choices;
  const field: Field = profile.group ? "profile" : "device";
  const refused = (problem: string): TargetCheck => ({
    ok: false,
    errors: { [field]: problem },
  });
  if (!tailscale.ok) {
    return refused(
      `Tailscale is not configured (${tailscale.missing.join(", ")} not set).`,
    );
  }
  const email = (await lookupPerson(client, requesterId))?.email;
  const ts = tailscale.tailscale;
  // For a device, the picker only helps; whose it is is checked here.
  const checked = profile.group
    ? await checkGroupAccess(ts, client, config, profile.group, email)
    : await checkDevice(ts, client, profile, choices.deviceId, email, useCache);
  if (!checked.ok) return refused(checked.problem);
  return "login" in checked
    ? { ok: true, login: checked.login }
    : { ok: true, device: checked.device };
}
