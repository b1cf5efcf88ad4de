import { DefineFunction, Schema, SlackFunction } from "deno-slack-sdk/mod.ts";
import { config } from "../config.ts";
import {
  checkOverride,
  LoginOverrides,
  lookupPerson,
  NOT_ADMIN_TEXT,
  saveOverride,
} from "../lib/people/mod.ts";
import {
  loadingLoginsView,
  LOGIN_FIELD,
  LOGIN_OVERRIDES_CALLBACK_ID,
  type LoginListInput,
  loginOverridesDoneView,
  loginOverridesView,
  notAdminView,
  savedNotice,
} from "../lib/blocks/mod.ts";
import {
  checkPayload,
  completeOnClose,
  Deadline,
  notOpened,
  openView,
  selectedUser,
  typedText,
  updateView,
  ViewSubmissionSchema,
} from "../lib/slack/mod.ts";
import { isAdmin } from "../lib/grants/mod.ts";
import { tailscaleFromEnv } from "../lib/tailscale/mod.ts";
import { errorText } from "../lib/text.ts";
import type { SlackClient } from "../lib/context.ts";

/**
 * "Tailscale login overrides": a tailnet admin sets or clears which
 * Tailscale login a Slack user is, for group profiles. Overrides take
 * precedence over config.ts's `tailscaleLogins`; anyone else is refused.
 */
export const LoginOverridesFunction = DefineFunction({
  callback_id: "login_overrides",
  title: "Tailscale login overrides",
  description: "Set or clear a Slack user's Tailscale login (admins only)",
  source_file: "functions/login_overrides.ts",
  input_parameters: {
    properties: {
      interactivity: { type: Schema.slack.types.interactivity },
      user: { type: Schema.slack.types.user_id },
    },
    required: ["interactivity", "user"],
  },
  output_parameters: { properties: {}, required: [] },
});

/** The lists as they are now (a failed read is shown, not thrown). */
async function currentLists(
  client: SlackClient,
  notice?: string,
): Promise<LoginListInput> {
  const configLogins = config.tailscaleLogins;
  try {
    const overrides = await new LoginOverrides(client).list();
    return { overrides, configLogins, notice };
  } catch (e) {
    return { overrides: [], configLogins, notice, listError: errorText(e) };
  }
}

/** The form's answer showing `text` on `field`. */
const fail = (field: string, text: string) => ({
  response_action: "errors",
  errors: { [field]: text },
});

export default SlackFunction(
  LoginOverridesFunction,
  async ({ inputs, client }) => {
    const userId = inputs.interactivity.interactor.id;
    // Open first: the pointer expires about 3 s after the click.
    const opened = await openView(
      client,
      inputs.interactivity.interactivity_pointer,
      loadingLoginsView(),
    );
    if (!opened.ok) return notOpened(opened, `"Tailscale login overrides"`);
    const person = await lookupPerson(client, userId);
    if (!isAdmin(config, person?.email)) {
      await updateView(client, opened.view.id, notAdminView());
      return { outputs: {} };
    }
    await updateView(
      client,
      opened.view.id,
      loginOverridesView(await currentLists(client)),
    );
    return { completed: false };
  },
).addViewSubmissionHandler(
  LOGIN_OVERRIDES_CALLBACK_ID,
  async ({ body, env, client }) => {
    const tailscale = tailscaleFromEnv(
      env,
      client,
      Deadline.forHandler("interaction", env),
    );
    const checked = checkPayload(
      ViewSubmissionSchema,
      body,
      "login_overrides: submission",
    );
    if (!checked.ok) {
      return fail(
        LOGIN_FIELD.user,
        "The form could not be read. Close it and try again.",
      );
    }
    const { user, view, function_data } = checked.data;
    // Checked again: a submission can arrive without the form the app showed.
    const admin = await lookupPerson(client, user.id);
    if (!isAdmin(config, admin?.email)) {
      return fail(LOGIN_FIELD.user, NOT_ADMIN_TEXT);
    }
    const values = view.state.values;
    const found = await checkOverride(
      client,
      tailscale,
      selectedUser(values, LOGIN_FIELD.user),
      typedText(values, LOGIN_FIELD.login).toLowerCase(),
    );
    if (!found.ok) return fail(LOGIN_FIELD[found.field], found.problem);
    const { email, login } = found.change;
    let notice: string;
    try {
      const saved = await saveOverride(client, found.change, user.id);
      notice = savedNotice(saved, config.tailscaleLogins);
    } catch (e) {
      return fail(login ? LOGIN_FIELD.login : LOGIN_FIELD.user, errorText(e));
    }
    console.log(
      `login_overrides: ${user.id} ${
        login ? `set ${email} → ${login}` : `cleared ${email}`
      }`,
    );
    const done = await client.functions.completeSuccess({
      function_execution_id: function_data.execution_id,
      outputs: {},
    });
    if (!done.ok) {
      console.error(`functions.completeSuccess failed: ${done.error}`);
    }
    return {
      response_action: "update",
      view: loginOverridesDoneView(await currentLists(client, notice)),
    };
  },
).addViewClosedHandler(
  LOGIN_OVERRIDES_CALLBACK_ID,
  ({ body, client }) =>
    completeOnClose(client, body, "login_overrides: closed", { outputs: {} }),
);
