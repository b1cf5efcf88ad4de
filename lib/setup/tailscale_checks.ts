/**
 * The Tailscale OAuth client: its credentials work (the token exchange),
 * and each scope the profiles need is there, each probed with a read that
 * needs exactly that scope. Only reads: nothing is written to Tailscale.
 * What the probes read (the devices, the policy file, the users) is kept
 * for the policy checks, which skip with the reason when a read failed.
 *
 * @module
 */
import type { Config } from "../config_schema.ts";
import {
  type Device,
  memoryTokenCache,
  readTailscaleSettings,
  REQUIRED_VARIABLES,
  TailscaleApiError,
  TailscaleClient,
  type TailscaleSettings,
} from "../tailscale/mod.ts";
import { errorText } from "../text.ts";
import { lineIn, type SetupCheck } from "./report.ts";

/** A tailnet user as the users list gives them. */
export type TailnetUser = Awaited<
  ReturnType<TailscaleClient["listUsers"]>
>[number];

/**
 * What the probes could read, `null` where they could not, with the reason
 * a dependent check gives when it skips.
 */
export type TailscaleAccess = {
  client: TailscaleClient;
  devices: Device[] | null;
  policyText: string | null;
  users: TailnetUser[] | null;
  /** Why the policy file could not be read, for the skipped lines. */
  policyProblem?: string;
  /** Why the users could not be read, for the skipped lines. */
  usersProblem?: string;
};

/** The lines about the client, and what it could read (null: nothing). */
export type TailscaleResult = {
  access: TailscaleAccess | null;
  /** Why there is no access, for the policy section's skipped line. */
  problem?: string;
  checks: SetupCheck[];
};

/** Where scopes are added, in every fix. */
const WHERE = "Tailscale admin console → Settings → OAuth clients";

/** Longest the checks keep retrying one call: a report should not hang. */
const CHECK_RETRY_BUDGET_MS = 3_000;

/**
 * A client for read-only checks, from `env`: tokens kept in memory (never
 * in the app's datastore) and a short retry budget; or the variables
 * still to set.
 *
 * @example
 * ```ts
 * const read = checksClient(Deno.env.toObject());
 * if (read.ok) await read.client.getPolicyFile();
 * ```
 */
export function checksClient(
  env: Record<string, string | undefined>,
  fetchFn?: typeof fetch,
):
  | { ok: true; client: TailscaleClient; settings: TailscaleSettings }
  | { ok: false; missing: string[] } {
  const read = readTailscaleSettings(env);
  if (!read.ok) return read;
  const client = new TailscaleClient(read.settings, memoryTokenCache(), {
    retry: { budgetMs: CHECK_RETRY_BUDGET_MS },
    ...(fetchFn ? { fetch: fetchFn } : {}),
  });
  return { ok: true, client, settings: read.settings };
}

const line = lineIn("tailscale");

/** A fix for a missing scope, in words. */
function addScope(scope: string, why: string): string {
  return `the OAuth client lacks the scope ${scope} (${why}): add the ` +
    `scope ${scope} to the OAuth client (${WHERE})`;
}

/**
 * The credentials line when the variables are (partly) missing. On the
 * admin's machine, none at all means "Tailscale not checked"; in the
 * deployed app (`required`), no grant can work without them.
 */
function missingCredentials(
  missing: string[],
  required: boolean,
): TailscaleResult {
  const all = missing.length === REQUIRED_VARIABLES.length;
  const commands = missing.map((name) => `slack env add ${name} <value>`)
    .join("; ");
  const problem = `no Tailscale credentials (${missing.join(", ")} not set)`;
  const notSet = `${missing.join(" and ")} ${
    missing.length === 1 ? "is" : "are"
  } not set`;
  return {
    access: null,
    problem,
    checks: [line(
      all && !required ? "skip" : "fail",
      "credentials",
      required
        ? `${notSet} in the app's environment, so no grant can work: ` +
          `run ${commands}`
        : `${notSet}, so Tailscale was not checked: put ${
          missing.length === 1 ? "it" : "them"
        } in the environment or .env for deno task doctor; the deployed ` +
          `app needs them too (${commands})`,
    )],
  };
}

/** The lines for a first call that failed: credentials, network or scope. */
function firstCallFailed(
  e: unknown,
  baseUrl: string,
): TailscaleResult | null {
  if (e instanceof TailscaleApiError && e.kind === "scope") return null;
  let text: string;
  if (e instanceof TailscaleApiError && e.kind === "credentials") {
    text = `Tailscale did not accept the OAuth client at the token ` +
      `exchange (HTTP ${e.status}): TAILSCALE_CLIENT_SECRET (or ` +
      `TAILSCALE_CLIENT_ID) is wrong or the client was deleted. Set the ` +
      `client's ID and secret again: slack env add TAILSCALE_CLIENT_SECRET ` +
      `<secret> (and in .env for deno task doctor)`;
  } else if (e instanceof TailscaleApiError && e.kind === "network") {
    text = `could not reach Tailscale at ${baseUrl}: check ` +
      `TAILSCALE_API_URL (default https://api.tailscale.com) and the network`;
  } else if (e instanceof TailscaleApiError && e.kind === "not_found") {
    text = `Tailscale does not know the tailnet: check TAILSCALE_TAILNET ` +
      `(leave it unset for the OAuth client's own tailnet). ${errorText(e)}`;
  } else {
    text = errorText(e);
  }
  const problem =
    "the OAuth client could not be used (see the Tailscale lines)";
  return { access: null, problem, checks: [line("fail", "credentials", text)] };
}

/** Scope missing (a scope error, or the users list's 404), or rethrown text. */
function scopeMissing(e: unknown): boolean {
  return e instanceof TailscaleApiError &&
    (e.kind === "scope" || e.kind === "not_found");
}

/**
 * Checks the credentials and the scopes `config`'s profiles need.
 *
 * @example
 * ```ts
 * const { access, checks } = await checkTailscale(config, Deno.env.toObject());
 * if (access?.policyText) analysePolicy(access.policyText, config);
 * ```
 */
export async function checkTailscale(
  config: Config,
  env: Record<string, string | undefined>,
  fetchFn?: typeof fetch,
  credentialsRequired = false,
): Promise<TailscaleResult> {
  const read = checksClient(env, fetchFn);
  if (!read.ok) return missingCredentials(read.missing, credentialsRequired);
  const { client } = read;
  const checks: SetupCheck[] = [];
  let devices: Device[] | null = null;
  try {
    devices = await client.listDevices();
  } catch (e) {
    const failed = firstCallFailed(e, read.settings.baseUrl);
    if (failed) return failed;
  }
  checks.push(line(
    "ok",
    "credentials",
    `TAILSCALE_CLIENT_ID and TAILSCALE_CLIENT_SECRET work (token exchange ` +
      `at ${read.settings.baseUrl}, tailnet "${read.settings.tailnet}")`,
  ));
  checks.push(
    devices
      ? line(
        "ok",
        "devices:core:read",
        `listed the tailnet's devices (${devices.length})`,
      )
      : line(
        "fail",
        "devices:core:read",
        addScope("devices:core:read", "the device picker lists devices"),
      ),
  );
  checks.push(await attributeScope(client, config, devices));
  const policy = await policyScope(client, config);
  const users = await usersScope(client, config);
  checks.push(policy.check, ...users.check ? [users.check] : []);
  return {
    access: {
      client,
      devices,
      policyText: policy.text,
      users: users.users,
      ...(policy.problem ? { policyProblem: policy.problem } : {}),
      ...(users.problem ? { usersProblem: users.problem } : {}),
    },
    checks,
  };
}

/**
 * `devices:posture_attributes`, probed by reading one device's attributes.
 * A read cannot prove the write: `devices:posture_attributes:read` passes
 * it too, so the ✓ says what is left unproven.
 */
async function attributeScope(
  client: TailscaleClient,
  config: Config,
  devices: Device[] | null,
): Promise<SetupCheck> {
  const scope = "devices:posture_attributes";
  if (!config.profiles.some((p) => p.attribute !== undefined)) {
    return line("skip", scope, "not needed: no attribute profile");
  }
  if (!devices) {
    return line("skip", scope, "no device to read: needs devices:core:read");
  }
  if (!devices.length) {
    return line("skip", scope, "the tailnet has no device to read");
  }
  try {
    await client.getAttributes(devices[0].nodeId);
    return line(
      "ok",
      scope,
      "read a device's posture attributes (a read cannot prove the " +
        "write: a client with only devices:posture_attributes:read passes " +
        "this too, and its first grant would fail naming the scope)",
    );
  } catch (e) {
    return scopeMissing(e)
      ? line("fail", scope, addScope(scope, "the app sets the attribute"))
      : line("fail", scope, errorText(e));
  }
}

/** `policy_file:read`, probed by reading the policy file. */
async function policyScope(
  client: TailscaleClient,
  config: Config,
): Promise<{ check: SetupCheck; text: string | null; problem?: string }> {
  const scope = "policy_file:read";
  const groups = config.profiles.some((p) => p.group !== undefined);
  try {
    const { text } = await client.getPolicyFile();
    return {
      text,
      check: line(
        "ok",
        scope,
        groups
          ? "read the policy file (group profiles also write it, which " +
            "needs policy_file itself: a read cannot prove that)"
          : "read the policy file",
      ),
    };
  } catch (e) {
    if (!scopeMissing(e)) {
      return {
        text: null,
        problem: "policy not readable (see the Tailscale lines)",
        check: line("fail", scope, errorText(e)),
      };
    }
    return {
      text: null,
      problem: `policy not readable: needs ${scope}`,
      check: groups
        ? line(
          "fail",
          scope,
          addScope(
            "policy_file",
            "group profiles read and write the policy file; it includes " +
              "policy_file:read",
          ),
        )
        : line(
          "warn",
          scope,
          `the policy file cannot be read, so the policy checks below are ` +
            `skipped: add the scope ${scope} to the OAuth client (${WHERE})`,
        ),
    };
  }
}

/** `users:read`, probed by listing users: group profiles map logins. */
async function usersScope(
  client: TailscaleClient,
  config: Config,
): Promise<
  { check?: SetupCheck; users: TailnetUser[] | null; problem?: string }
> {
  const scope = "users:read";
  const groups = config.profiles.some((p) => p.group !== undefined);
  try {
    const users = await client.listUsers();
    return {
      users,
      check: groups
        ? line("ok", scope, `listed the tailnet's users (${users.length})`)
        : undefined,
    };
  } catch (e) {
    const problem = `users not readable: needs ${scope}`;
    if (!groups) return { users: null, problem };
    return {
      users: null,
      problem,
      check: scopeMissing(e)
        ? line(
          "fail",
          scope,
          addScope(scope, "group profiles find the requester's Tailscale user"),
        )
        : line("fail", scope, errorText(e)),
    };
  }
}
