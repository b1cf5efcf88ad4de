import { DefineFunction, Schema, SlackFunction } from "deno-slack-sdk/mod.ts";
import { config, rawConfig } from "../config.ts";
import { isAdmin } from "../lib/grants/mod.ts";
import { lookupPerson } from "../lib/people/mod.ts";
import {
  NOT_ADMIN_SETUP_TEXT,
  runSetupChecks,
  setupCrashedMessage,
  setupReportMessages,
} from "../lib/setup/mod.ts";
import { noticeMessage } from "../lib/blocks/mod.ts";
import { post } from "../lib/slack/mod.ts";
import { errorText } from "../lib/text.ts";

/**
 * "Check Tailscale access setup": runs the setup checks of `deno task
 * doctor` with the app's own Slack client and credentials, and sends the
 * report to the admin who ran it as DMs. Anyone else is told it is for
 * admins. Only reads Tailscale and Slack (the DMs aside).
 */
export const CheckSetupFunction = DefineFunction({
  callback_id: "check_setup",
  title: "Check Tailscale access setup",
  description: "Check config.ts, Tailscale and Slack (admins only)",
  source_file: "functions/check_setup.ts",
  input_parameters: {
    properties: { user: { type: Schema.slack.types.user_id } },
    required: ["user"],
  },
  output_parameters: { properties: {}, required: [] },
});

export default SlackFunction(
  CheckSetupFunction,
  async ({ inputs, client, env }) => {
    const person = await lookupPerson(client, inputs.user);
    if (!isAdmin(config, person?.email)) {
      await post(client, inputs.user, noticeMessage(NOT_ADMIN_SETUP_TEXT));
      return { outputs: {} };
    }
    try {
      const checks = await runSetupChecks({
        rawConfig,
        env,
        slack: client,
        credentialsRequired: true,
      });
      for (const message of setupReportMessages(checks)) {
        await post(client, inputs.user, message);
      }
      console.log(`check_setup: report sent to ${inputs.user}`);
    } catch (e) {
      console.error(`check_setup: ${errorText(e)}`);
      await post(client, inputs.user, setupCrashedMessage(errorText(e)));
    }
    return { outputs: {} };
  },
);
