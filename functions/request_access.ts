import { DefineFunction, Schema, SlackFunction } from "deno-slack-sdk/mod.ts";
import { config } from "../config.ts";
import {
  type AccessRequest,
  AccessRequestType,
} from "../lib/access_request.ts";
import {
  type ApproverField,
  approverField,
  approverProblem,
  lookupPerson,
} from "../lib/approvers.ts";
import {
  credentialsMissingView,
  MAX_REASON_LENGTH,
  REQUEST_FORM_CALLBACK_ID,
  requestFormView,
} from "../lib/blocks/request_form.ts";
import { findProfile, type Profile } from "../lib/config_schema.ts";
import {
  deviceErrorSuggestion,
  deviceSuggestions,
  PICKER_ERROR_VALUE,
} from "../lib/device_options.ts";
import { formatDuration } from "../lib/durations.ts";
import { FIELD, type Field, readFormState } from "../lib/form_state.ts";
import { tailscaleFromEnv } from "../lib/tailscale/mod.ts";
import { errorText } from "../lib/review.ts";

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
  client: Parameters<Parameters<typeof SlackFunction>[1]>[0]["client"],
  profile: Profile | undefined,
  requesterId: string,
) {
  const approver: ApproverField = profile
    ? await approverField(client, profile, requesterId)
    : { kind: "loading" };
  return requestFormView({
    profiles: config.profiles,
    profile,
    approver,
    requesterId,
    now: new Date(),
  });
}

export default SlackFunction(
  RequestAccessFunction,
  async ({ inputs, env, client }) => {
    const pointer = inputs.interactivity.interactivity_pointer;
    const requesterId = inputs.interactivity.interactor.id;
    const built = tailscaleFromEnv(env, client);
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
    return { completed: false };
  },
)
  .addBlockActionsHandler(FIELD.profile, async ({ action, body, client }) => {
    const profile = findProfile(config, action.selected_option?.value ?? "");
    const res = await client.views.update({
      view_id: body.view?.id,
      hash: body.view?.hash,
      view: await formFor(client, profile, body.user.id),
    });
    // A conflict means a newer change to the form already won.
    if (!res.ok && res.error !== "hash_conflict") {
      console.error(`views.update failed: ${res.error}`);
    }
  })
  .addBlockSuggestionHandler(FIELD.device, async ({ body, env, client }) => {
    const built = tailscaleFromEnv(env, client);
    if (!built.ok) {
      return deviceErrorSuggestion(
        `Tailscale is not configured (${built.missing.join(", ")})`,
      );
    }
    try {
      const [devices, requester] = await Promise.all([
        built.tailscale.listDevices(),
        lookupPerson(client, body.user.id),
      ]);
      return deviceSuggestions(
        devices,
        String(body.value ?? ""),
        requester?.email,
      );
    } catch (e) {
      console.error(`device picker: ${errorText(e)}`);
      return deviceErrorSuggestion(`Could not list devices: ${errorText(e)}`);
    }
  })
  .addViewSubmissionHandler(
    REQUEST_FORM_CALLBACK_ID,
    async ({ body, view, client }) => {
      const requesterId: string = body.user.id;
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
        if (!v.device || v.device === PICKER_ERROR_VALUE) {
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
          const problem = approverProblem(
            profile,
            requesterId,
            await lookupPerson(client, approverId),
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
      if (Object.keys(errors).length) {
        return { response_action: "errors", errors };
      }
      const request: AccessRequest = {
        requester: requesterId,
        attribute: profile!.attribute,
        device_id: v.device!,
        duration_seconds: durationSeconds,
        approver: approverId,
        reason,
      };
      const done = await client.functions.completeSuccess({
        function_execution_id: body.function_data.execution_id,
        outputs: { request },
      });
      if (!done.ok) {
        console.error(`functions.completeSuccess failed: ${done.error}`);
        return {
          response_action: "errors",
          errors: {
            [form.blockIds.reason ?? FIELD.profile]:
              `The request could not be sent (${done.error}). Try again.`,
          },
        };
      }
    },
  )
  .addViewClosedHandler(
    REQUEST_FORM_CALLBACK_ID,
    async ({ body, client }) => {
      // Without this the workflow would wait forever for a form nobody will send.
      await client.functions.completeError({
        function_execution_id: body.function_data.execution_id,
        error: "The requester closed the form without sending a request.",
      });
    },
  );
