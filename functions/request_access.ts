import { DefineFunction, Schema, SlackFunction } from "deno-slack-sdk/mod.ts";
import { config } from "../config.ts";
import {
  type AccessRequest,
  AccessRequestType,
  requestIdFor,
  submitRequest,
} from "../lib/requests/mod.ts";
import {
  approverField,
  approverGroupMembers,
  approverProblem,
} from "../lib/review/mod.ts";
import { lookupPerson, resolveLogin } from "../lib/people/mod.ts";
import {
  credentialsMissingView,
  MAX_REASON_LENGTH,
  REQUEST_FORM_CALLBACK_ID,
  requestFormView,
} from "../lib/blocks/mod.ts";
import {
  cachedDevice,
  deviceErrorSuggestion,
  deviceProblem,
  deviceSuggestions,
  invalidateDeviceIndex,
  loadDevices,
  PICKER_ERROR_VALUE,
  warmDeviceIndex,
} from "../lib/devices/mod.ts";
import {
  checkPayload,
  Deadline,
  FIELD,
  type Field,
  InteractionSchema,
  readFormState,
  SuggestionSchema,
  ViewActionSchema,
} from "../lib/slack/mod.ts";
import {
  type Device,
  TailscaleApiError,
  type TailscaleClient,
  tailscaleFromEnv,
} from "../lib/tailscale/mod.ts";
import { missingGroupText, readGroup } from "../lib/policy/mod.ts";
import { findProfile, type Profile } from "../lib/config_schema.ts";
import { formatDuration } from "../lib/durations.ts";
import { errorText } from "../lib/text.ts";
import type { SlackClient } from "../lib/context.ts";

/** Step 1: the requester fills in the form; outputs the request. */
export const RequestAccessFunction = DefineFunction({
  callback_id: "request_access",
  title: "Request Tailscale access",
  description: "Opens the request form and collects a valid access request",
  source_file: "functions/request_access.ts",
  input_parameters: {
    properties: {
      interactivity: { type: Schema.slack.types.interactivity },
      user: { type: Schema.slack.types.user_id },
    },
    required: ["interactivity", "user"],
  },
  output_parameters: {
    properties: { request: { type: AccessRequestType } },
    required: ["request"],
  },
});

/** The form for a profile, with its approvers looked up. */
async function formFor(
  client: SlackClient,
  profile: Profile | undefined,
  requesterId: string,
) {
  const [approver, requester] = await Promise.all([
    profile
      ? approverField(client, profile, requesterId)
      : { kind: "loading" } as const,
    lookupPerson(client, requesterId),
  ]);
  return requestFormView({
    profiles: config.profiles,
    profile,
    approver,
    requesterId,
    requesterEmail: requester?.email,
    now: new Date(),
  });
}

export default SlackFunction(
  RequestAccessFunction,
  async ({ inputs, env, client }) => {
    const pointer = inputs.interactivity.interactivity_pointer;
    const requesterId = inputs.interactivity.interactor.id;
    const built = tailscaleFromEnv(
      env,
      client,
      Deadline.forHandler("function", env),
    );
    if (!built.ok) {
      await client.views.open({
        interactivity_pointer: pointer,
        view: credentialsMissingView(built.missing),
      });
      return {
        error: `Tailscale is not configured: set ${
          built.missing.join(" and ")
        } with \`slack env add\`.`,
      };
    }
    // Open first: the pointer expires about 3 s after the click, so nothing
    // that waits on the network may come before this call.
    const only = config.profiles.length === 1 ? config.profiles[0] : undefined;
    const opened = await client.views.open({
      interactivity_pointer: pointer,
      view: requestFormView({
        profiles: config.profiles,
        profile: only,
        approver: { kind: "loading" },
        requesterId,
        now: new Date(),
      }),
    });
    if (!opened.ok) {
      // Slack delivered this event again: the form is open already.
      if (opened.error === "exchanged_trigger_id") return { completed: false };
      return { error: `Could not open the request form: ${opened.error}` };
    }
    if (only) {
      const res = await client.views.update({
        view_id: opened.view.id,
        hash: opened.view.hash,
        view: await formFor(client, only, requesterId),
      });
      if (!res.ok && res.error !== "hash_conflict") {
        console.error(`views.update failed: ${res.error}`);
      }
    }
    // The form is open; while the person reads it, make sure the device
    // picker's cache is fresh so their keystrokes never wait on Tailscale.
    try {
      if (env.DEVICE_PICKER_CACHE !== "off") {
        await warmDeviceIndex(client, built.tailscale);
      }
    } catch (e) {
      console.warn(`device index warm-up failed: ${errorText(e)}`);
    }
    return { completed: false };
  },
)
  .addBlockActionsHandler(FIELD.profile, async ({ action, body, client }) => {
    const checked = checkPayload(
      ViewActionSchema,
      body,
      "request_access: profile change",
    );
    if (!checked.ok) return;
    const { view, user } = checked.data;
    const profile = findProfile(config, action.selected_option?.value ?? "");
    const res = await client.views.update({
      view_id: view.id,
      hash: view.hash,
      view: await formFor(client, profile, user.id),
    });
    // A conflict means a newer change to the form already won.
    if (!res.ok && res.error !== "hash_conflict") {
      console.error(`views.update failed: ${res.error}`);
    }
  })
  .addBlockSuggestionHandler(FIELD.device, async ({ body, env, client }) => {
    const checked = checkPayload(
      SuggestionSchema,
      body,
      "request_access: device suggestion",
    );
    if (!checked.ok) {
      return deviceErrorSuggestion("The search could not be read; try again");
    }
    const { user, value, view } = checked.data;
    // The chosen profile decides whether other people's devices are offered.
    let ownOnly = true;
    try {
      const chosen = readFormState(body.view?.state).values.profile;
      const profile = chosen ? findProfile(config, chosen) : undefined;
      ownOnly = !profile?.allowAnyDevice;
    } catch {
      // No readable form state: offer only the safe subset.
    }
    const built = tailscaleFromEnv(
      env,
      client,
      Deadline.forHandler("interaction", env),
    );
    if (!built.ok) {
      return deviceErrorSuggestion(
        `Tailscale is not configured (${built.missing.join(", ")})`,
      );
    }
    try {
      // The form carries the requester's email; older forms need a lookup.
      const email = view?.private_metadata?.requester_email ??
        (await lookupPerson(client, user.id))?.email;
      if (ownOnly && !email) {
        return deviceErrorSuggestion(
          "Your Slack profile has no email, so your devices cannot be found",
        );
      }
      const { devices } = await loadDevices(client, built.tailscale, {
        // Own devices only: one small read, whatever the tailnet's size.
        owner: ownOnly ? email : undefined,
        // Only rows that can match are decoded.
        containing: value,
        // DEVICE_PICKER_CACHE=off lists from Tailscale on every keystroke,
        // as Tailscale's example accessbot does (a fallback and a baseline).
        useCache: env.DEVICE_PICKER_CACHE !== "off",
        // DEVICE_PICKER_USER_FILTER=off: a cold cache refreshes the whole
        // index first (the benchmark's baseline for the cold query).
        userFilter: env.DEVICE_PICKER_USER_FILTER !== "off",
      });
      return deviceSuggestions(devices, value, email, ownOnly);
    } catch (e) {
      console.error(`device picker: ${errorText(e)}`);
      return deviceErrorSuggestion(`Could not list devices: ${errorText(e)}`);
    }
  })
  .addViewSubmissionHandler(
    REQUEST_FORM_CALLBACK_ID,
    async ({ body, view, client, env }) => {
      const deadline = Deadline.forHandler("interaction", env);
      const checked = checkPayload(
        InteractionSchema,
        body,
        "request_access: submission",
      );
      if (!checked.ok) {
        return {
          response_action: "errors",
          errors: {
            [FIELD.profile]:
              "The form could not be read. Close it and open it again.",
          },
        };
      }
      const requesterId = checked.data.user.id;
      let form;
      try {
        form = readFormState(view.state);
      } catch {
        console.error("request form: view state is not shaped like Slack's");
        return {
          response_action: "errors",
          errors: {
            [FIELD.profile]:
              "The form could not be read. Close it and open it again.",
          },
        };
      }
      const errors: Record<string, string> = {};
      const fail = (field: Field, message: string) => {
        const block = form.blockIds[field] ?? form.blockIds.profile ??
          FIELD.profile;
        errors[block] ??= message;
      };
      const v = form.values;
      const profile = v.profile ? findProfile(config, v.profile) : undefined;
      if (!v.profile) fail(FIELD.profile, "Choose what you want to access.");
      else if (!profile) {
        fail(
          FIELD.profile,
          "This access profile is no longer offered. Choose another one.",
        );
      }
      let approverId = "";
      let durationSeconds = 0;
      const reason = (v.reason ?? "").trim();
      if (profile && !form.blockIds.approver) {
        // The form showed why nobody can approve; it has no other fields.
        fail(
          FIELD.profile,
          "Nobody can approve this profile for you; see the note below.",
        );
      } else if (profile) {
        if (
          !profile.group && (!v.device || v.device === PICKER_ERROR_VALUE)
        ) {
          fail(FIELD.device, "Choose the device you will use.");
        }
        durationSeconds = Number(v.duration);
        if (!Number.isInteger(durationSeconds) || durationSeconds <= 0) {
          fail(FIELD.duration, "Choose how long you need access.");
        } else if (durationSeconds > profile.maxSeconds) {
          fail(
            FIELD.duration,
            `${profile.description} allows at most ${
              formatDuration(profile.maxSeconds)
            }.`,
          );
        }
        if (!v.approver) {
          fail(FIELD.approver, "Choose who should approve.");
        } else {
          approverId = v.approver;
          const [person, members] = await Promise.all([
            lookupPerson(client, approverId),
            approverGroupMembers(client, profile),
          ]);
          const problem = approverProblem(
            profile,
            requesterId,
            person,
            members,
          );
          if (problem) fail(FIELD.approver, problem);
        }
        if (!reason) fail(FIELD.reason, "Say why you need access.");
        else if (reason.length > MAX_REASON_LENGTH) {
          fail(
            FIELD.reason,
            `Keep the reason within ${MAX_REASON_LENGTH} characters.`,
          );
        }
      }
      let device: Device | undefined;
      let login: string | undefined;
      if (
        Object.keys(errors).length === 0 && profile &&
        (profile.group || v.device)
      ) {
        const built = tailscaleFromEnv(env, client, deadline);
        const field = profile.group ? FIELD.profile : FIELD.device;
        if (!built.ok) {
          fail(
            field,
            `Tailscale is not configured (${
              built.missing.join(", ")
            } not set).`,
          );
        } else if (profile.group) {
          const checked = await checkGroupAccess(
            built.tailscale,
            client,
            profile.group,
            requesterId,
          );
          if (checked.ok) login = checked.login;
          else fail(field, checked.problem);
        } else {
          // The picker only helps; whose device it is is checked here.
          const checked = await checkDevice(
            built.tailscale,
            client,
            profile,
            v.device!,
            requesterId,
            env.DEVICE_PICKER_CACHE !== "off",
          );
          if (checked.ok) device = checked.device;
          else fail(field, checked.problem);
        }
      }
      if (Object.keys(errors).length) {
        return { response_action: "errors", errors };
      }
      const request: AccessRequest = {
        id: await requestIdFor(checked.data.function_data.execution_id),
        requester: requesterId,
        attribute: profile!.key,
        device_id: login ? "" : v.device!,
        ...(login ? { login } : {}),
        duration_seconds: durationSeconds,
        approver: approverId,
        reason,
      };
      // Recorded before any message goes out (see submitRequest).
      const failed = await submitRequest(
        client,
        checked.data.function_data.execution_id,
        request,
        device,
      );
      if (failed) {
        return {
          response_action: "errors",
          errors: { [form.blockIds.reason ?? FIELD.profile]: failed },
        };
      }
    },
  )
  .addViewClosedHandler(
    REQUEST_FORM_CALLBACK_ID,
    async ({ body, client }) => {
      const checked = checkPayload(
        InteractionSchema,
        body,
        "request_access: form closed",
      );
      if (!checked.ok) return;
      // Without this the workflow would wait forever for a form nobody will send.
      await client.functions.completeError({
        function_execution_id: checked.data.function_data.execution_id,
        error: "The requester closed the form without sending a request.",
      });
    },
  );

/**
 * The Tailscale login a group profile would add for the requester, or why
 * it cannot go ahead: no login for their email, or no such group in the
 * policy file (reported, never created).
 */
async function checkGroupAccess(
  tailscale: TailscaleClient,
  client: SlackClient,
  group: string,
  requesterId: string,
): Promise<{ ok: true; login: string } | { ok: false; problem: string }> {
  const requester = await lookupPerson(client, requesterId);
  if (!requester?.email) {
    return {
      ok: false,
      problem:
        "Your Slack profile has no email, so your Tailscale login cannot be found. Ask a tailnet admin to set it with the “Tailscale login overrides” shortcut.",
    };
  }
  try {
    const [resolved, members] = await Promise.all([
      resolveLogin(client, tailscale, config, requester.email),
      readGroup(tailscale, group),
    ]);
    if (members === null) {
      return { ok: false, problem: missingGroupText(group) };
    }
    if (!resolved) {
      return {
        ok: false,
        problem:
          `No Tailscale user has the login ${requester.email}, so the app does not know whom to add to \`${group}\`. If your Tailscale login is different, ask a tailnet admin to set it with the “Tailscale login overrides” shortcut.`,
      };
    }
    return { ok: true, login: resolved.login };
  } catch (e) {
    return {
      ok: false,
      problem: `Could not check your access with Tailscale: ${errorText(e)}`,
    };
  }
}

/**
 * The chosen device, or why it may not be used for the profile: it must
 * exist, and unless the profile allows any device, be the requester's own.
 */
async function checkDevice(
  tailscale: TailscaleClient,
  client: SlackClient,
  profile: Profile,
  nodeId: string,
  requesterId: string,
  useCache: boolean,
): Promise<{ ok: true; device: Device } | { ok: false; problem: string }> {
  try {
    const requester = await lookupPerson(client, requesterId);
    const owner = profile.allowAnyDevice
      ? undefined
      : requester?.email?.toLowerCase();
    // The index answers when it has the device (only among the person's
    // own, when that is all that is allowed); else one device is read.
    const device = (useCache && (owner || profile.allowAnyDevice)
      ? await cachedDevice(client, nodeId, owner)
      : null) ?? await tailscale.getDevice(nodeId);
    const problem = deviceProblem(device, profile, requester?.email);
    return problem ? { ok: false, problem } : { ok: true, device };
  } catch (e) {
    if (e instanceof TailscaleApiError && e.kind === "not_found") {
      await invalidateDeviceIndex(client);
      return {
        ok: false,
        problem: "That device no longer exists in the tailnet. Choose another.",
      };
    }
    return {
      ok: false,
      problem: `Could not check the device with Tailscale: ${errorText(e)}`,
    };
  }
}
