/**
 * Access profiles offered by this app. Edit, then `slack deploy`.
 *
 * Every field is described in the README ("config.ts reference") and in
 * `lib/config_schema.ts`. The file is validated when the app loads: a mistake
 * fails `slack deploy` and `deno task test` with a message naming the profile
 * and the field.
 *
 * @module
 */
import { type ConfigInput, parseConfig } from "./lib/config_schema.ts";

/** The profiles as written by the tailnet admin. */
export const rawConfig: ConfigInput = {
  profiles: [
    {
      description: "Production",
      attribute: "custom:prodAccess",
      maxSeconds: 8 * 3600,
      approverEmails: ["bob@example.com", "carol@example.com"],
      // notifyChannel: "C06TH49GKHC",
    },
    {
      description: "Staging (self-service)",
      attribute: "custom:stagingAccess",
      maxSeconds: 86_400,
      canSelfApprove: true,
    },
    // Time-bound membership in a policy-file group instead of an attribute
    // (needs the OAuth scopes policy_file and users:read; the group must
    // already exist in the policy file):
    // {
    //   description: "Production (group)",
    //   group: "group:prod",
    //   maxSeconds: 4 * 3600,
    //   approverEmails: ["bob@example.com"],
    // },
  ],
  // Slack email → Tailscale login, for people whose logins differ:
  // tailscaleLogins: { "alice@example.com": "alice@corp.example" },
};

/** The validated configuration used by every function. */
export const config = parseConfig(rawConfig);
