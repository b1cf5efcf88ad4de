/**
 * The "Check Tailscale access setup" shortcut (for tailnet admins): a link
 * trigger, also offered in the `/` menu. Create it with
 * `slack trigger create --trigger-def triggers/check_setup_shortcut.ts`.
 * Anyone may open it; only config.ts's `admins` get the report.
 */
import { CheckSetupWorkflow } from "../workflows/check_setup.ts";

const trigger = {
  type: "shortcut",
  name: "Check Tailscale access setup",
  description: "Check config.ts, Tailscale and Slack (admins only)",
  workflow: `#/workflows/${CheckSetupWorkflow.definition.callback_id}`,
  inputs: {
    user: { value: "{{data.user_id}}" },
  },
};

export default trigger;
