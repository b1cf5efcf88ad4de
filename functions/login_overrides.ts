import { DefineFunction, Schema, SlackFunction } from "deno-slack-sdk/mod.ts";
import { z } from "zod";
import { config } from "../config.ts";
import {
  LoginOverrides,
  lookupPerson,
  tailnetLogin,
} from "../lib/people/mod.ts";
import {
  clearNotice,
  loadingLoginsView,
  LOGIN_FIELD,
  LOGIN_OVERRIDES_CALLBACK_ID,
  type LoginListInput,
  loginOverridesDoneView,
  loginOverridesView,
  MAX_LOGIN_LENGTH,
  type ModalView,
  notAdminView,
  setNotice,
} from "../lib/blocks/mod.ts";
import {
  checkPayload,
  Deadline,
  InteractionSchema,
  typedText,
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

type Env = Record<string, string>;

/** What a Tailscale login looks like: `name@domain`, no spaces. */
const LOGIN_PATTERN = /^[^\s@]+@[^\s@]+$/;

/** The user picker's state, as Slack sends it. */
const SelectedUserSchema = z.object({
  selected_user: z.string().regex(/^[UW][A-Z0-9]+$/),
});

const NOT_ADMIN =
  "Only the admins listed in config.ts can change Tailscale logins.";

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

async function update(client: SlackClient, viewId: string, view: ModalView) {
  const res = await client.views.update({ view_id: viewId, view });
  if (!res.ok) console.error(`views.update failed: ${res.error}`);
}

/**
 * Why `login` cannot be used (no tailnet user has it, or Tailscale could
 * not be asked), or null when a tailnet user has it.
 */
async function loginProblem(
  env: Env,
  client: SlackClient,
  login: string,
): Promise<string | null> {
  const built = tailscaleFromEnv(
    env,
    client,
    Deadline.forHandler("interaction", env),
  );
  if (!built.ok) {
    return `Tailscale is not set up: ${built.missing.join(" and ")} not set.`;
  }
  try {
    return await tailnetLogin(built.tailscale, login)
      ? null
      : `No Tailscale user has the login ${login}.`;
  } catch (e) {
    return errorText(e);
  }
}

export default SlackFunction(
  LoginOverridesFunction,
  async ({ inputs, client }) => {
    const userId = inputs.interactivity.interactor.id;
    // Open first: the pointer expires about 3 s after the click.
    const opened = await client.views.open({
      interactivity_pointer: inputs.interactivity.interactivity_pointer,
      view: loadingLoginsView(),
    });
    if (!opened.ok) {
      // Slack delivered this event again: the view is open already.
      if (opened.error === "exchanged_trigger_id") return { completed: false };
      return {
        error: `Could not open "Tailscale login overrides": ${opened.error}`,
      };
    }
    const person = await lookupPerson(client, userId);
    if (!isAdmin(config, person?.email)) {
      await update(client, opened.view.id, notAdminView());
      return { outputs: {} };
    }
    await update(
      client,
      opened.view.id,
      loginOverridesView(await currentLists(client)),
    );
    return { completed: false };
  },
).addViewSubmissionHandler(
  LOGIN_OVERRIDES_CALLBACK_ID,
  async ({ body, env, client }) => {
    const fail = (field: string, text: string) => ({
      response_action: "errors",
      errors: { [field]: text },
    });
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
      return fail(LOGIN_FIELD.user, NOT_ADMIN);
    }

    const values = view.state.values;
    const chosen = SelectedUserSchema.safeParse(
      values[LOGIN_FIELD.user]?.[LOGIN_FIELD.user],
    );
    if (!chosen.success) return fail(LOGIN_FIELD.user, "Choose a Slack user.");
    const person = await lookupPerson(client, chosen.data.selected_user);
    if (!person) {
      return fail(
        LOGIN_FIELD.user,
        "Slack could not find that person (or it is a bot or a deactivated account).",
      );
    }
    if (!person.email) {
      return fail(
        LOGIN_FIELD.user,
        `${person.name} has no email address in Slack, so they cannot be given a Tailscale login here.`,
      );
    }
    const email = person.email.toLowerCase();
    const login = typedText(values, LOGIN_FIELD.login).toLowerCase();
    if (login) {
      if (login.length > MAX_LOGIN_LENGTH || !LOGIN_PATTERN.test(login)) {
        return fail(
          LOGIN_FIELD.login,
          "Enter a Tailscale login such as name@example.com (or leave it empty to clear the override).",
        );
      }
      const problem = await loginProblem(env, client, login);
      if (problem) return fail(LOGIN_FIELD.login, problem);
    }

    const store = new LoginOverrides(client);
    let notice: string;
    try {
      if (login) {
        await store.set({
          email,
          login,
          set_by: user.id,
          set_at: new Date().toISOString(),
        });
        notice = setNotice(email, login);
      } else {
        const existed = (await store.get(email)) !== null;
        if (existed) await store.clear(email);
        notice = clearNotice(email, existed, config.tailscaleLogins[email]);
      }
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
  async ({ body, client }) => {
    const checked = checkPayload(
      InteractionSchema,
      body,
      "login_overrides: closed",
    );
    if (!checked.ok) return;
    await client.functions.completeSuccess({
      function_execution_id: checked.data.function_data.execution_id,
      outputs: {},
    });
  },
);
