import { Manifest } from "deno-slack-sdk/mod.ts";
// Imported for its side effect too: an invalid config.ts fails `slack deploy`.
import { config } from "./config.ts";
import { RequestsDatastore, TransitionType } from "./datastores/requests.ts";
import { LiveRequestsDatastore } from "./datastores/live_requests.ts";
import { DeviceIndexDatastore } from "./datastores/device_index.ts";
import { TailscaleTokensDatastore } from "./datastores/tailscale_tokens.ts";
import { RequestAccessFunction } from "./functions/request_access.ts";
import { ReviewAccessFunction } from "./functions/review_access.ts";
import { CollectDecisionFunction } from "./functions/collect_decision.ts";
import { DecideAccessFunction } from "./functions/decide_access.ts";
import { MyAccessFunction } from "./functions/my_access.ts";
import { LifecycleEventFunction } from "./functions/lifecycle_event.ts";
import { ReconcileAccessFunction } from "./functions/reconcile_access.ts";
import { LoginOverridesFunction } from "./functions/login_overrides.ts";
import { LoginOverridesDatastore } from "./datastores/login_overrides.ts";
import { AccessRequestType } from "./lib/requests/access_request.ts";
import { RequestAccessWorkflow } from "./workflows/request_access.ts";
import { MyAccessWorkflow } from "./workflows/my_access.ts";
import { GrantLifecycleWorkflow } from "./workflows/grant_lifecycle.ts";
import { ReconcileGroupAccessWorkflow } from "./workflows/reconcile_group_access.ts";
import { LoginOverridesWorkflow } from "./workflows/login_overrides.ts";
import { DecideAccessWorkflow } from "./workflows/decide_access.ts";
import { CheckSetupFunction } from "./functions/check_setup.ts";
import { CheckSetupWorkflow } from "./workflows/check_setup.ts";

export default Manifest({
  name: "Tailscale Access",
  description:
    `Just-in-time, time-bound Tailscale access, approved in Slack (${config.profiles.length} profile${
      config.profiles.length === 1 ? "" : "s"
    })`,
  icon: "assets/icon.png",
  workflows: [
    RequestAccessWorkflow,
    MyAccessWorkflow,
    GrantLifecycleWorkflow,
    ReconcileGroupAccessWorkflow,
    LoginOverridesWorkflow,
    DecideAccessWorkflow,
    CheckSetupWorkflow,
  ],
  functions: [
    RequestAccessFunction,
    ReviewAccessFunction,
    MyAccessFunction,
    LifecycleEventFunction,
    ReconcileAccessFunction,
    LoginOverridesFunction,
    CollectDecisionFunction,
    DecideAccessFunction,
    CheckSetupFunction,
  ],
  types: [AccessRequestType, TransitionType],
  datastores: [
    TailscaleTokensDatastore,
    RequestsDatastore,
    LiveRequestsDatastore,
    DeviceIndexDatastore,
    LoginOverridesDatastore,
  ],
  outgoingDomains: ["api.tailscale.com"],
  botScopes: [
    "commands",
    "chat:write",
    "chat:write.public",
    "users:read",
    "users:read.email",
    "datastore:read",
    "datastore:write",
    // Scheduled triggers for reminders, expiry notices and request timeouts,
    // the decision link behind the approvers' buttons, and finding the "My
    // Tailscale access" link for the Extend button.
    "triggers:write",
    "triggers:read",
    // Approvers named by user group (approverGroups).
    "usergroups:read",
    // "Check Tailscale access setup" asks conversations.info whether the
    // app can post to each notifyChannel; Slack's method reference lists
    // channels:read (public channels) and groups:read (private ones) as
    // its bot scopes.
    "channels:read",
    "groups:read",
  ],
});
