import { DefineFunction, SlackFunction } from "deno-slack-sdk/mod.ts";
import { config } from "../config.ts";
import { decisionContext } from "../lib/review/mod.ts";
import { Deadline } from "../lib/slack/mod.ts";
import { reconcile } from "../lib/grants/mod.ts";
import { errorText } from "../lib/text.ts";

/**
 * Ends every grant and removes every app-added group membership whose time
 * is up but whose own expiry did not run; reports to the notify channels.
 */
export const ReconcileAccessFunction = DefineFunction({
  callback_id: "reconcile_access",
  title: "Tailscale access: scheduled check",
  description:
    "Ends overdue grants and removes group memberships the app added that should be gone",
  source_file: "functions/reconcile_access.ts",
  input_parameters: { properties: {}, required: [] },
  output_parameters: {
    properties: {},
    required: [],
  },
});

export default SlackFunction(
  ReconcileAccessFunction,
  async ({ env, client }) => {
    try {
      const actions = await reconcile(
        decisionContext(
          client,
          env,
          config,
          Deadline.forHandler("function", env),
        ),
      );
      const failed = actions.filter((a) => a.failed).length;
      if (failed) {
        return {
          error:
            `${failed} membership(s) could not be removed; the next check tries again.`,
        };
      }
      return { outputs: {} };
    } catch (e) {
      return { error: `The scheduled access check failed: ${errorText(e)}` };
    }
  },
);
