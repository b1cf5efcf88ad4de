/**
 * The "Tailscale login overrides" shortcut (for tailnet admins): a link
 * trigger, also offered in the `/` menu. Create it with
 * `slack trigger create --trigger-def triggers/login_overrides_shortcut.ts`.
 * Anyone may open it; only config.ts's `admins` can change anything.
 */
import { LoginOverridesWorkflow } from "../workflows/login_overrides.ts";

const trigger = {
  type: "shortcut",
  name: "Tailscale login overrides",
  description: "Set or clear a Slack user's Tailscale login (admins only)",
  workflow: `#/workflows/${LoginOverridesWorkflow.definition.callback_id}`,
  inputs: {
    interactivity: { value: "{{data.interactivity}}" },
    user: { value: "{{data.user_id}}" },
  },
};

export default trigger;
