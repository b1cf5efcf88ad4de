import { DefineFunction, Schema, SlackFunction } from "deno-slack-sdk/mod.ts";
import { config } from "../config.ts";
import {
  type AccessRequest,
  AccessRequestType,
  checkRequestTarget,
  requestIdFor,
  startsAtFromForm,
  submitRequest,
  validateRequestForm,
} from "../lib/requests/mod.ts";
import { approverField } from "../lib/review/mod.ts";
import {
  eligibleProfiles,
  lookupPerson,
  openProfiles,
} from "../lib/people/mod.ts";
import {
  credentialsMissingView,
  REQUEST_FORM_CALLBACK_ID,
  requestFormView,
} from "../lib/blocks/mod.ts";
import {
  deviceErrorSuggestion,
  ownDevicesOnly,
  pickerSuggestions,
  warmDeviceIndex,
} from "../lib/devices/mod.ts";
import {
  checkPayload,
  completeOnClose,
  Deadline,
  errorsByBlock,
  FIELD,
  type FieldErrors,
  type FormState,
  InteractionSchema,
  notOpened,
  openView,
  readFormState,
  SuggestionSchema,
  updateView,
  ViewActionSchema,
} from "../lib/slack/mod.ts";
import { tailscaleFromEnv } from "../lib/tailscale/mod.ts";
import { findProfile, type Profile } from "../lib/config_schema.ts";
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

/**
 * The form for a profile, with its approvers looked up, listing only the
 * profiles the requester may ask for (a chosen one they may not is dropped).
 */
async function formFor(
  client: SlackClient,
  chosen: Profile | undefined,
  requesterId: string,
) {
  const eligible = await eligibleProfiles(client, config.profiles, requesterId);
  const profile = chosen && eligible.profiles.includes(chosen)
    ? chosen
    : undefined;
  const [approver, requester] = await Promise.all([
    profile
      ? approverField(client, profile, requesterId)
      : { kind: "loading" } as const,
    lookupPerson(client, requesterId),
  ]);
  return requestFormView({
    ...eligible,
    profile,
    approver,
    requesterId,
    requesterEmail: requester?.email,
    now: new Date(),
  });
}

/** The submission's answer showing `errors` on the form's blocks. */
function showErrors(form: Pick<FormState, "blockIds">, errors: FieldErrors) {
  return {
    response_action: "errors",
    // A field the form did not send shows its message on the profile.
    errors: errorsByBlock(form, errors, form.blockIds.profile ?? FIELD.profile),
  };
}

/** The answer to a submission whose form cannot be read. */
const UNREADABLE = showErrors({ blockIds: {} }, {
  profile: "The form could not be read. Close it and open it again.",
});

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
      await openView(client, pointer, credentialsMissingView(built.missing));
      return {
        error: `Tailscale is not configured: set ${
          built.missing.join(" and ")
        } with \`slack env add\`.`,
      };
    }
    // Open first: the pointer expires about 3 s after the click, so nothing
    // that waits on the network may come before this call.
    // Until the requester is looked up, only profiles without a requester
    // list are shown (then, in the update, those they may ask for).
    const open = openProfiles(config.profiles);
    const only = config.profiles.length === 1 ? open[0] : undefined;
    const opened = await openView(
      client,
      pointer,
      requestFormView({
        profiles: open,
        profile: only,
        approver: { kind: "loading" },
        requesterId,
        now: new Date(),
      }),
    );
    if (!opened.ok) return notOpened(opened, "the request form");
    await updateView(
      client,
      opened.view.id,
      await formFor(client, only, requesterId),
      opened.view.hash,
    );
    // The form is open; while the person reads it, make sure the device
    // picker's cache is fresh so their keystrokes never wait on Tailscale.
    try {
      if (env.DEVICE_PICKER_CACHE !== "off") {
        await warmDeviceIndex(
          client,
          built.tailscale,
          Date.now(),
          config.profiles,
        );
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
    // A conflict means a newer change to the form already won.
    await updateView(
      client,
      view.id,
      await formFor(client, profile, user.id),
      view.hash,
    );
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
    const ownOnly = ownDevicesOnly(body.view?.state, config);
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
    // The form carries the requester's email; older forms need a lookup.
    const email = view?.private_metadata?.requester_email ??
      (await lookupPerson(client, user.id))?.email;
    return await pickerSuggestions(client, built.tailscale, {
      value,
      email,
      ownOnly,
      useCache: env.DEVICE_PICKER_CACHE !== "off",
      userFilter: env.DEVICE_PICKER_USER_FILTER !== "off",
      profiles: config.profiles,
    });
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
      if (!checked.ok) return UNREADABLE;
      const requesterId = checked.data.user.id;
      const executionId = checked.data.function_data.execution_id;
      let form;
      try {
        form = readFormState(view.state);
      } catch {
        console.error("request form: view state is not shaped like Slack's");
        return UNREADABLE;
      }
      const valid = await validateRequestForm(
        client,
        config,
        form,
        requesterId,
      );
      if (!valid.ok) return showErrors(form, valid.errors);
      const { choices } = valid;
      const target = await checkRequestTarget(
        tailscaleFromEnv(env, client, deadline),
        client,
        config,
        choices,
        requesterId,
        env.DEVICE_PICKER_CACHE !== "off",
      );
      if (!target.ok) return showErrors(form, target.errors);
      const { login } = target;
      // A start later than now waits for it once approved (see start.ts).
      const startsAt = startsAtFromForm(form.values.start, new Date());
      const request: AccessRequest = {
        id: await requestIdFor(executionId),
        requester: requesterId,
        attribute: choices.profile.key,
        device_id: login ? "" : choices.deviceId,
        ...(login ? { login } : {}),
        duration_seconds: choices.durationSeconds,
        // Break-glass: nobody approves; the record says it was an emergency.
        approver: choices.breakGlass ? requesterId : choices.approverId,
        reason: choices.reason,
        ...(startsAt ? { starts_at: startsAt } : {}),
      };
      // Recorded before any message goes out (see submitRequest).
      const failed = await submitRequest(
        client,
        executionId,
        request,
        target.device,
        choices.breakGlass,
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
    ({ body, client }) =>
      // Without this the workflow would wait forever for a form nobody will send.
      completeOnClose(client, body, "request_access: form closed", {
        error: "The requester closed the form without sending a request.",
      }),
  );
