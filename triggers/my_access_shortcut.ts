/**
 * The "My Tailscale access" shortcut: a link trigger, also offered in the
 * `/` menu. Create it with
 * `slack trigger create --trigger-def triggers/my_access_shortcut.ts`.
 *
 * `extend` is customizable so the reminder's Extend button (a workflow
 * button) can open this workflow on one grant; from the shortcut it is empty.
 */
import { MyAccessWorkflow } from "../workflows/my_access.ts";

const trigger = {
  type: "shortcut",
  name: "My Tailscale access",
  description: "See, revoke and extend your Tailscale access",
  workflow: `#/workflows/${MyAccessWorkflow.definition.callback_id}`,
  inputs: {
    interactivity: { value: "{{data.interactivity}}" },
    user: { value: "{{data.user_id}}" },
    extend: { customizable: true },
  },
};

export default trigger;
