/**
 * The "Request Tailscale access" shortcut: a link trigger, which Slack also
 * offers in the `/` menu. Create it with
 * `slack trigger create --trigger-def triggers/request_access_shortcut.ts`.
 *
 * Context values are written as literals because `deno-slack-api`'s
 * constants are not importable offline; these are the values they stand for.
 */
import { RequestAccessWorkflow } from "../workflows/request_access.ts";

const trigger = {
  type: "shortcut",
  name: "Request Tailscale access",
  description: "Ask for time-bound access to a Tailscale resource",
  workflow: `#/workflows/${RequestAccessWorkflow.definition.callback_id}`,
  inputs: {
    interactivity: { value: "{{data.interactivity}}" },
    user: { value: "{{data.user_id}}" },
  },
};

export default trigger;
