/**
 * The tailnet policy file in the Tailscale emulator: `GET` and `POST
 * /tailnet/{tailnet}/acl` (HuJSON or JSON as the Accept header asks, with
 * an ETag for If-Match), `POST …/acl/validate` (a policy checked with a
 * small subset of Tailscale's checks, or ACL tests evaluated against the
 * current file by `policy_eval.ts`) and `POST …/acl/preview` (the rules of
 * a posted file that apply to a user or address, `policy_preview.ts`).
 *
 * @module
 */
import {
  parse as parseJsonc,
  type ParseError,
  printParseErrorCode,
} from "jsonc-parser";
import {
  HttpError,
  isPlainObject,
  type Reply,
  type RouteTable,
} from "./http.ts";
import { type OAuthClient, READ_POLICY, WRITE_POLICY } from "./oauth.ts";
import { runAclTests } from "./policy_eval.ts";
import type { TailnetFacts } from "./policy_match.ts";
import { previewMatches } from "./policy_preview.ts";
import type { Tailnet } from "./tailnet.ts";
import type { PolicyTestFailure, PolicyWarning } from "./types.ts";

/**
 * The demo tailnet's policy file: HuJSON with comments and trailing commas.
 * The profiles of `config.ts` matter here: each attribute has a posture, a
 * grant that needs it (towards the demo's `tag:prod` and `tag:jump`
 * servers), and an `attrConfig` no device may use to set it on itself.
 */
export const DEMO_POLICY = `// Demo tailnet policy file.
{
  // Who is who.
  "groups": {
    "group:prod": ["carol@example.com"], // on call
    "group:eng": [
      "bob@example.com",
      "carol@example.com",
    ],
  },

  // What the app's attribute profiles switch on for a device.
  "postures": {
    "posture:prodAccess": ["custom:prodAccess == true"],
    "posture:stagingAccess": ["custom:stagingAccess == true"],
  },

  // Only the app sets these attributes; no device may set them on itself.
  "attrConfig": {
    "custom:prodAccess": {"type": "bool", "allowSetByNode": false},
    "custom:stagingAccess": {"type": "bool", "allowSetByNode": false},
  },

  /* Production is reached through group:prod. */
  "grants": [
    {"src": ["group:prod"], "dst": ["tag:prod"], "ip": ["*"]},
    // Production for a member's device while it has custom:prodAccess.
    {
      "src": ["autogroup:member"],
      "dst": ["tag:prod"],
      "ip": ["tcp:22", "tcp:443"],
      "srcPosture": ["posture:prodAccess"],
    },
    // Staging (self-service): the jump host, with custom:stagingAccess.
    {
      "src": ["autogroup:member"],
      "dst": ["tag:jump"],
      "ip": ["tcp:22"],
      "srcPosture": ["posture:stagingAccess"],
    },
  ],
}
`;

/**
 * The policy file, its version (for ETags), and the warnings and test
 * failures a test has set.
 *
 * @example
 * ```ts
 * const policy = new PolicyFile(DEMO_POLICY, oauth, tailnet);
 * policy.setOutside(`{"groups": {}}`); // a new ETag
 * const routes = policy.routes();
 * ```
 */
export class PolicyFile {
  #policy: string;
  #policyVersion = 0;
  #policyWarnings: PolicyWarning[] | null = null;
  #policyTestFailures: PolicyTestFailure[] | null = null;
  readonly #oauth: OAuthClient;
  readonly #tailnet: Tailnet;
  readonly #members: () => ReadonlySet<string>;

  /**
   * `text` is the policy file Tailscale starts with (HuJSON); `members`
   * gives the tailnet's member logins (`autogroup:member`) when a rule is
   * evaluated.
   */
  constructor(
    text: string,
    oauth: OAuthClient,
    tailnet: Tailnet,
    members: () => ReadonlySet<string>,
  ) {
    this.#policy = text;
    this.#oauth = oauth;
    this.#tailnet = tailnet;
    this.#members = members;
  }

  /** The policy endpoints' routes. */
  routes(): RouteTable {
    return [
      [/^tailnet\/([^/]+)\/acl$/, {
        methods: ["GET", "POST"],
        run: (req, _u, text, [tailnet]) =>
          req.method === "GET"
            ? this.#getPolicy(req, tailnet)
            : this.#setPolicy(req, tailnet, text),
      }],
      [/^tailnet\/([^/]+)\/acl\/validate$/, {
        methods: ["POST"],
        run: (req, _u, text, [tailnet]) =>
          this.#validatePolicy(req, tailnet, text),
      }],
      [/^tailnet\/([^/]+)\/acl\/preview$/, {
        methods: ["POST"],
        run: (req, url, text, [tailnet]) =>
          this.#previewRules(req, url, tailnet, text),
      }],
    ];
  }

  /** The policy file as Tailscale holds it now (HuJSON text). */
  text(): string {
    return this.#policy;
  }

  /** An admin edits the policy file outside the app (a new ETag). */
  setOutside(text: string): void {
    this.#policy = text;
    this.#policyVersion++;
  }

  /** The policy file's current ETag, quoted as the header carries it. */
  etag(): string {
    let h = 0x811c9dc5;
    const s = `${this.#policyVersion}:${this.#policy}`;
    for (let i = 0; i < s.length; i++) {
      h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    }
    return `"${(h >>> 0).toString(16).padStart(8, "0")}"`;
  }

  /**
   * Warnings the validate endpoint reports for any policy it accepts
   * (`{"message": "warning(s) found", "data": …}`), e.g. a SCIM group not
   * syncing; `null` for none. Warnings never block a policy write.
   */
  setWarnings(data: PolicyWarning[] | null): void {
    this.#policyWarnings = data === null ? null : structuredClone(data);
  }

  /**
   * ACL test failures: while set, validate answers `{"message": "test(s)
   * failed", "data": …}` (200) whatever the tests, and `POST /acl` refuses
   * writes with the same body as a 400. `null` goes back to evaluating the
   * tests against the policy.
   */
  setTestFailures(data: PolicyTestFailure[] | null): void {
    this.#policyTestFailures = data === null ? null : structuredClone(data);
  }

  /** HuJSON as the policy endpoints read it; a policy file must be an object. */
  #readPolicy(text: string): Record<string, unknown> {
    const value = parseHuJson(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new HttpError(400, "parsing policy: not an object");
    }
    return value as Record<string, unknown>;
  }

  /** What Tailscale would refuse in a policy (a small subset of its checks). */
  #policyProblem(policy: Record<string, unknown>): string | null {
    const groups = policy.groups ?? {};
    if (
      typeof groups !== "object" || groups === null || Array.isArray(groups)
    ) {
      return `"groups" must be an object`;
    }
    for (const [name, members] of Object.entries(groups)) {
      if (!name.startsWith("group:")) {
        return `group "${name}" must start with "group:"`;
      }
      if (!Array.isArray(members)) return `${name}: members must be a list`;
      for (const m of members) {
        if (
          typeof m !== "string" ||
          !(/^[^@\s]+@[^@\s]+$/.test(m) || m.startsWith("group:") ||
            m.startsWith("autogroup:"))
        ) {
          return `${name}: invalid member ${JSON.stringify(m)}`;
        }
      }
    }
    return null;
  }

  /** The policy as the request's Accept header asks for it. */
  #policyAnswer(req: Request, headers: Record<string, string> = {}): Reply {
    // HuJSON unless JSON is asked for (then comments are lost).
    if ((req.headers.get("accept") ?? "").includes("application/json")) {
      return { status: 200, body: this.#readPolicy(this.#policy), headers };
    }
    return {
      status: 200,
      body: this.#policy,
      headers: { ...headers, "content-type": "application/hujson" },
    };
  }

  #getPolicy(req: Request, tailnet: string): Reply {
    this.#oauth.authorize(req, READ_POLICY);
    this.#tailnet.checkName(tailnet);
    // "The response also includes an ETag header" (documented on GET only).
    return this.#policyAnswer(req, { etag: this.etag() });
  }

  #setPolicy(req: Request, tailnet: string, text: string): Reply {
    this.#oauth.authorize(req, WRITE_POLICY);
    this.#tailnet.checkName(tailnet);
    const ifMatch = req.headers.get("if-match");
    if (ifMatch !== null && ifMatch !== this.etag()) {
      throw new HttpError(412, "precondition failed, invalid old hash");
    }
    const problem = this.#policyProblem(this.#readPolicy(text));
    if (problem) throw new HttpError(400, problem);
    // Errors are returned for "ACLs with failing tests on attempted updates".
    if (this.#policyTestFailures) {
      throw new HttpError(
        400,
        "test(s) failed",
        structuredClone(this.#policyTestFailures),
      );
    }
    this.#policy = text;
    this.#policyVersion++;
    // The updated policy "according to the Accept header". The spec
    // declares no ETag on this answer (only GET's prose mentions one), so
    // none is sent: a caller must GET again for the new ETag. Spec is
    // silent; stricter choice (the Go client's SetAndGet hopes for one).
    return this.#policyAnswer(req);
  }

  #validatePolicy(req: Request, tailnet: string, text: string): Reply {
    this.#oauth.authorize(req, READ_POLICY);
    this.#tailnet.checkName(tailnet);
    // Which syntax errors are a 400 and which a 200 with a message, the
    // spec does not say: everything the fake refuses is a 400 (spec is
    // silent; stricter choice), and a 200 always means the policy parsed.
    const parsed = parseHuJson(text);
    let failures = this.#policyTestFailures;
    if (Array.isArray(parsed)) {
      // "Runs ACL tests against the tailnet's current policy file". A test
      // that set failures overrides the outcome; the tests are then only
      // checked for shape.
      if (failures) parsed.forEach((test, i) => checkAclTest(test, i));
      else {
        failures = runAclTests(
          this.#readPolicy(this.#policy),
          parsed,
          this.#facts(),
        );
        if (!failures.length) failures = null;
      }
    } else {
      const problem = this.#policyProblem(this.#readPolicy(text));
      if (problem) throw new HttpError(400, problem);
    }
    if (failures) {
      return {
        status: 200,
        body: { message: "test(s) failed", data: structuredClone(failures) },
      };
    }
    // Warnings are about a policy file (e.g. a SCIM group not syncing); a
    // run of tests against the current policy only passes or fails.
    if (this.#policyWarnings && !Array.isArray(parsed)) {
      return {
        status: 200,
        body: {
          message: "warning(s) found",
          data: structuredClone(this.#policyWarnings),
        },
      };
    }
    // "An empty response body implies passing validation or tests."
    return { status: 200, body: undefined };
  }

  #previewRules(req: Request, url: URL, tailnet: string, text: string): Reply {
    this.#oauth.authorize(req, READ_POLICY);
    this.#tailnet.checkName(tailnet);
    // The posted policy is previewed, never saved.
    const problem = this.#policyProblem(this.#readPolicy(text));
    if (problem) throw new HttpError(400, problem);
    return {
      status: 200,
      body: previewMatches(text, url.searchParams, this.#facts()),
    };
  }

  /** The tailnet as rules are evaluated in it. */
  #facts(): TailnetFacts {
    return {
      members: this.#members(),
      devices: [...this.#tailnet.devices.values()],
    };
  }
}

/** HuJSON (JSON with comments and trailing commas); a 400 when it is not. */
function parseHuJson(text: string): unknown {
  const errors: ParseError[] = [];
  const value = parseJsonc(text, errors, { allowTrailingComma: true });
  if (errors.length) {
    throw new HttpError(
      400,
      `parsing policy: ${printParseErrorCode(errors[0].error)} at offset ${
        errors[0].offset
      }`,
    );
  }
  return value;
}

/** An ACL test of the validate endpoint's array mode: `src` is required. */
function checkAclTest(test: unknown, i: number): void {
  if (!isPlainObject(test) || typeof test.src !== "string" || !test.src) {
    throw new HttpError(400, `test ${i}: "src" is required`);
  }
}
