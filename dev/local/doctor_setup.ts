/**
 * The demo tailnet of `deno task local --doctor`: profiles, a policy file
 * and emulator state with one deliberate mistake of each kind the setup
 * checks find, and, for each mistake, the report line it must produce.
 * Pure data.
 *
 * @module
 */
import type { ConfigInput } from "../../lib/config_schema.ts";

/** The OAuth scopes every profile kind needs. */
export const FULL_SCOPES = [
  "devices:core:read",
  "devices:posture_attributes",
  "policy_file",
  "users:read",
];

/** The scope the second run's OAuth client lacks. */
export const MISSING_SCOPE = "users:read";

/** The private channel the app is not in (the Slack emulator's own). */
export const PRIVATE_CHANNEL = "C0PRIVATE1";

/** An approver email no Slack user has. */
export const UNKNOWN_APPROVER = "zoe@example.com";

/** The demo config: one profile per mistake, and one group profile. */
export const DOCTOR_CONFIG: ConfigInput = {
  profiles: [
    {
      description: "Production",
      attribute: "custom:prodAccess",
      approverEmails: ["bob@example.com"],
    },
    {
      description: "Staging",
      attribute: "custom:stagingAccess",
      canSelfApprove: true,
    },
    {
      description: "Jump hosts",
      attribute: "custom:jumpAccess",
      approverEmails: ["bob@example.com"],
      allowAnyDevice: true,
    },
    {
      description: "Databases",
      attribute: "custom:dbAccess",
      approverEmails: ["carol@example.com", UNKNOWN_APPROVER],
      notifyChannel: PRIVATE_CHANNEL,
    },
    {
      description: "Production group",
      group: "group:prod",
      approverEmails: ["bob@example.com"],
    },
  ],
  admins: ["dave@example.com"],
};

/** The demo tailnet's policy file, each mistake marked. */
export const DOCTOR_POLICY =
  `// The demo tailnet of deno task local --doctor: one mistake of each kind.
{
  "groups": {
    "group:prod": ["carol@example.com"],
    "group:eng": ["bob@example.com", "carol@example.com"],
  },
  "tagOwners": {
    "tag:prod": ["group:eng"],
    "tag:staging": ["group:eng"],
    "tag:jump": ["group:eng"],
    "tag:db": ["group:eng"],
  },
  "postures": {
    // Mistake: no rule uses posture:prod, so approving Production opens nothing.
    "posture:prod": ["custom:prodAccess == true"],
    "posture:staging": ["custom:stagingAccess == true"],
    "posture:jump": ["custom:jumpAccess == true"],
    "posture:db": ["custom:dbAccess == true"],
  },
  "attrConfig": {
    // Mistake: any device may give itself custom:stagingAccess.
    "custom:stagingAccess": {"type": "bool", "allowSetByNode": true},
  },
  "grants": [
    {"src": ["group:eng"], "dst": ["tag:staging"], "ip": ["tcp:443"], "srcPosture": ["posture:staging"]},
    {"src": ["group:eng"], "dst": ["tag:jump"], "ip": ["tcp:22"], "srcPosture": ["posture:jump"]},
    // Mistake: this opens tag:jump without the posture.
    {"src": ["group:eng"], "dst": ["tag:jump"], "ip": ["tcp:22"]},
    {"src": ["group:eng"], "dst": ["tag:db"], "ip": ["tcp:5432"], "srcPosture": ["posture:db"]},
    {"src": ["group:prod"], "dst": ["tag:prod"], "ip": ["*"]},
  ],
}
`;

/** One deliberate mistake and the report line that must show it. */
export type Mistake = {
  /** The mistake in words, for the transcript. */
  what: string;
  status: "fail" | "warn";
  section: "config" | "tailscale" | "policy" | "slack";
  /** Text the line's subject or text must contain (case-insensitive). */
  mentions: string;
  /** Found in the second run, whose OAuth client lacks a scope. */
  poorClient?: boolean;
};

/** Every mistake in the demo tailnet, one per check kind. */
export const MISTAKES: Mistake[] = [
  {
    what: "Production's posture is used by no rule: approving it opens nothing",
    status: "fail",
    section: "policy",
    mentions: "Production",
  },
  {
    what:
      "custom:stagingAccess has allowSetByNode: any device can give itself Staging",
    status: "fail",
    section: "policy",
    mentions: "allowSetByNode",
  },
  {
    what: "a second rule opens tag:jump without the Jump hosts posture",
    status: "warn",
    section: "policy",
    mentions: "Jump hosts",
  },
  {
    what:
      `Databases names ${UNKNOWN_APPROVER} as approver: no Slack user has it`,
    status: "fail",
    section: "slack",
    mentions: UNKNOWN_APPROVER,
  },
  {
    what:
      `Databases notifies the private channel ${PRIVATE_CHANNEL}, which the app is not in`,
    status: "fail",
    section: "slack",
    mentions: PRIVATE_CHANNEL,
  },
  {
    what:
      "the policy file is managed externally (GitOps): group edits would be overwritten",
    status: "warn",
    section: "policy",
    mentions: "managed outside",
  },
  {
    what: `a second OAuth client lacks ${MISSING_SCOPE}`,
    status: "fail",
    section: "tailscale",
    mentions: MISSING_SCOPE,
    poorClient: true,
  },
];
