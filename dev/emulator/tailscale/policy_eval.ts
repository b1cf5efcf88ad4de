/**
 * ACL tests run against a policy file, as `POST …/acl/validate` does with a
 * JSON array (spec: validateAndTestPolicyFile): each test's source, as a
 * device with `srcPostureAttrs`, must reach every `accept` destination and
 * none of its `deny` ones. Grants and accepting ACLs are evaluated with
 * their `srcPosture` (or `defaultSrcPosture`) and postures made of `==` /
 * `!=` conditions. Pure: the tailnet comes in as {@link TailnetFacts}.
 *
 * @module
 */
import { at, HttpError, isPlainObject, rejectUnknownFields } from "./http.ts";
import {
  hostCovers,
  isAddress,
  isLogin,
  type MatchScope,
  srcMatches,
  type Subject,
  type TailnetFacts,
} from "./policy_match.ts";
import {
  type PolicyRules,
  protocolNumber,
  readPolicyRules,
  type Rule,
} from "./policy_rules.ts";
import type { AttributeValue, PolicyTestFailure } from "./types.ts";

type Attrs = Record<string, AttributeValue>;

/** One ACL test, checked. */
type AclTest = {
  src: string;
  who: Subject;
  attrs: Attrs;
  /** IP protocol numbers any of which may carry the traffic. */
  protos: number[];
  accept: string[];
  deny: string[];
};

const TEST_FIELDS = ["src", "srcPostureAttrs", "proto", "accept", "deny"];
// "When omitted, the test checks for either TCP or UDP access."
const TCP_OR_UDP = [6, 17];

/**
 * The failures of `tests` (the parsed JSON array) against `policy` (the
 * parsed policy file): `[]` when every test passes. Malformed tests, `*`
 * wildcards and unknown groups or hosts are a 400.
 *
 * @example
 * ```ts
 * const failures = runAclTests(policy, [
 *   { src: "alice@example.com", accept: ["tag:prod:22"] },
 * ], { members: new Set(["alice@example.com"]), devices: [] });
 * // [{ user: "alice@example.com",
 * //    errors: ['address "tag:prod:22": want: Accept, got: Drop'] }]
 * ```
 */
export function runAclTests(
  policy: Record<string, unknown>,
  tests: unknown[],
  facts: TailnetFacts,
): PolicyTestFailure[] {
  const scope: MatchScope = { policy: readPolicyRules(policy), facts };
  const checked = tests.map((t, i) => {
    let test!: AclTest;
    at(`test ${i}`, () => test = readTest(scope.policy, t));
    return test;
  });
  const failures: PolicyTestFailure[] = [];
  checked.forEach((test, i) => {
    const errors: string[] = [];
    for (
      const [list, want] of [[test.accept, true], [test.deny, false]] as const
    ) {
      for (const address of list) {
        let got = false;
        at(`test ${i}`, () => got = reaches(scope, test, address));
        if (got !== want) {
          errors.push(
            `address ${JSON.stringify(address)}: want: ${verdict(want)}, got: ${
              verdict(got)
            }`,
          );
        }
      }
    }
    if (errors.length) failures.push({ user: test.src, errors });
  });
  return failures;
}

function verdict(accepted: boolean): string {
  return accepted ? "Accept" : "Drop";
}

function noWildcard(what: string, value: string): void {
  // "Sources in `src` and `destinations` must refer to specific entities
  // and do not support `*` wildcards."
  if (value.includes("*")) {
    throw new HttpError(
      400,
      `${what} ${
        JSON.stringify(value)
      }: * wildcards are not supported in tests, name a specific entity`,
    );
  }
}

function strings(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new HttpError(400, `"${what}" must be a list of strings`);
  }
  return value as string[];
}

function readTest(policy: PolicyRules, test: unknown): AclTest {
  if (!isPlainObject(test) || typeof test.src !== "string" || !test.src) {
    throw new HttpError(400, `"src" is required`);
  }
  // Fields outside the spec's list (e.g. the legacy "user"/"allow") are
  // refused: spec is silent; stricter choice.
  rejectUnknownFields(test, TEST_FIELDS, "an ACL test");
  noWildcard("src", test.src);
  const attrs = test.srcPostureAttrs ?? {};
  if (
    !isPlainObject(attrs) ||
    Object.values(attrs).some((v) =>
      !["string", "number", "boolean"].includes(typeof v)
    )
  ) {
    throw new HttpError(
      400,
      `"srcPostureAttrs" must map attributes to strings, numbers or booleans`,
    );
  }
  if (test.proto !== undefined && typeof test.proto !== "string") {
    throw new HttpError(400, `"proto" must be a string`);
  }
  const accept = strings(test.accept, "accept");
  const deny = strings(test.deny, "deny");
  for (const address of [...accept, ...deny]) {
    noWildcard("destination", address);
  }
  return {
    src: test.src,
    who: subject(policy, test.src, "src"),
    attrs: attrs as Attrs,
    protos: test.proto === undefined
      ? TCP_OR_UDP
      : [protocolNumber(test.proto)],
    accept,
    deny,
  };
}

/** A test's source or destination host: a login, group, tag, host or IP. */
function subject(policy: PolicyRules, name: string, what: string): Subject {
  if (isLogin(name)) return { kind: "login", raw: name };
  if (name.startsWith("tag:")) return { kind: "tag", raw: name };
  if (name.startsWith("group:") && what === "src") {
    // An unknown group would make every test vacuous: spec is silent;
    // stricter choice.
    if (!policy.groups.has(name)) {
      throw new HttpError(
        400,
        `${what} ${JSON.stringify(name)}: no such group`,
      );
    }
    return { kind: "group", raw: name };
  }
  const alias = policy.hosts.get(name);
  if (alias !== undefined) {
    return { kind: "address", raw: name, ip: alias.split("/")[0] };
  }
  if (isAddress(name) && !name.includes("/")) {
    return { kind: "address", raw: name, ip: name };
  }
  throw new HttpError(
    400,
    `${what} ${
      JSON.stringify(name)
    }: not a login, tag, host alias or IP address${
      what === "src" ? " or group" : ""
    }`,
  );
}

/** Whether the test's source reaches `address` (`host:port`). */
function reaches(scope: MatchScope, test: AclTest, address: string): boolean {
  const colon = address.lastIndexOf(":");
  const port = colon < 0 ? "" : address.slice(colon + 1);
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    throw new HttpError(
      400,
      `destination ${
        JSON.stringify(address)
      }: must be host:port with a single numeric port`,
    );
  }
  let host = address.slice(0, colon);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  const target = subject(scope.policy, host, "destination");
  const n = Number(port);
  const srcLogin = test.who.kind === "login" ? test.who.raw : undefined;
  return scope.policy.rules.some((rule) =>
    rule.src.some((entry) => srcMatches(scope, entry, test.who)) &&
    rule.dst.some((d) =>
      d.ports.some((r) => r.first <= n && n <= r.last) &&
      (d.protos === null || d.protos.some((p) => test.protos.includes(p))) &&
      hostCovers(scope, d.host, target, srcLogin)
    ) &&
    // Last, so a posture the emulator cannot evaluate only matters when
    // the rule would otherwise apply.
    postureAllows(scope.policy, rule, test.attrs)
  );
}

/**
 * A rule applies when one of its postures holds (its own `srcPosture`, else
 * `defaultSrcPosture`); a posture holds when all its conditions do.
 */
function postureAllows(
  policy: PolicyRules,
  rule: Rule,
  attrs: Attrs,
): boolean {
  const names = rule.srcPosture ?? policy.defaultSrcPosture;
  if (!names?.length) return true;
  return names.some((name) => {
    // A posture the file does not define never holds: spec is silent
    // (Tailscale refuses such a file on save); stricter choice.
    const conditions = policy.postures.get(name);
    return conditions !== undefined &&
      conditions.every((c) => conditionHolds(name, c, attrs));
  });
}

/**
 * `attr == value` / `attr != value`. A condition on an attribute the device
 * does not have is false either way (KB 1288, device posture conditions).
 */
function conditionHolds(posture: string, condition: string, attrs: Attrs) {
  const m = /^\s*([\w:.-]+)\s*(==|!=)\s*(.*?)\s*$/.exec(condition);
  if (!m) {
    throw new HttpError(
      400,
      `${posture}: condition ${
        JSON.stringify(condition)
      } is not evaluated by the emulator (only "attr == value" and "attr != value")`,
    );
  }
  const [, attr, op, raw] = m;
  if (!Object.hasOwn(attrs, attr)) return false;
  const same = attrs[attr] === conditionValue(raw);
  return op === "==" ? same : !same;
}

/** A condition's value: quoted or bare string, number or boolean. */
function conditionValue(raw: string): AttributeValue {
  const quoted = /^(['"])(.*)\1$/.exec(raw);
  if (quoted) return quoted[2];
  if (raw === "true" || raw === "false") return raw === "true";
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}
