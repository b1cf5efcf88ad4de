/**
 * `POST …/acl/preview?type=user|ipport&previewFor=…` (spec:
 * previewRuleMatches): the rules of a posted policy file (not saved) that
 * apply to a user or to an `ip:port`, each with the line its rule starts
 * on. Pure: the tailnet comes in as {@link TailnetFacts}.
 *
 * @module
 */
import {
  findNodeAtLocation,
  getNodeValue,
  type Node,
  type ParseError,
  parseTree,
  printParseErrorCode,
} from "jsonc-parser";
import { HttpError } from "./http.ts";
import {
  hostCovers,
  isAddress,
  isLogin,
  type MatchScope,
  srcMatches,
  type Subject,
  type TailnetFacts,
} from "./policy_match.ts";
import { readPolicyRules, type Rule } from "./policy_rules.ts";

/** One rule in the answer, as the spec's `matches[]` items. */
export type RuleMatchJson = {
  users: string[];
  ports: string[];
  lineNumber: number;
};

/** The answer's body. */
export type PreviewAnswer = {
  matches: RuleMatchJson[];
  type: string;
  previewFor: string;
};

/**
 * The rules of `text` that apply to the query's user or `ip:port`; a 400 for
 * a missing or invalid `type` or `previewFor`, or an unparsable policy.
 *
 * @example
 * ```ts
 * previewMatches(text, new URLSearchParams({
 *   type: "user",
 *   previewFor: "carol@example.com",
 * }), facts);
 * // { matches: [{ users: ["group:prod"], ports: ["tag:prod:*"],
 * //               lineNumber: 14 }], type: "user", previewFor: "carol@…" }
 * ```
 */
export function previewMatches(
  text: string,
  query: URLSearchParams,
  facts: TailnetFacts,
): PreviewAnswer {
  const type = query.get("type");
  const previewFor = query.get("previewFor");
  if (type !== "user" && type !== "ipport") {
    throw new HttpError(
      400,
      `invalid type ${JSON.stringify(type ?? "")}: use "user" or "ipport"`,
    );
  }
  if (!previewFor) throw new HttpError(400, `"previewFor" is required`);
  const tree = policyTree(text);
  const scope: MatchScope = { policy: readPolicyRules(tree.value), facts };
  const applies = type === "user"
    ? userQuery(facts, previewFor)
    : addressQuery(previewFor);
  const matches = scope.policy.rules
    .filter((rule) => applies(scope, rule))
    .map((rule) => ({
      users: [...rule.src],
      ports: rule.dst.map((d) => d.text),
      lineNumber: lineOf(text, tree.root, rule),
    }))
    .sort((a, b) => a.lineNumber - b.lineNumber);
  return { matches, type, previewFor };
}

type Applies = (scope: MatchScope, rule: Rule) => boolean;

/** `type=user`: rules whose `src` names the login (posture not considered). */
function userQuery(facts: TailnetFacts, login: string): Applies {
  // "provide the email of a valid user with registered machines": anyone
  // else is a 400 (spec is silent on the answer; stricter choice).
  if (!isLogin(login) || !facts.members.has(login)) {
    throw new HttpError(
      400,
      `previewFor ${JSON.stringify(login)} is not a user of this tailnet`,
    );
  }
  const who: Subject = { kind: "login", raw: login };
  return (scope, rule) => rule.src.some((e) => srcMatches(scope, e, who));
}

/** `type=ipport`: rules whose `dst` covers that address and port. */
function addressQuery(ipPort: string): Applies {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([\d.]+)):(\d{1,5})$/.exec(ipPort);
  const ip = m?.[1] ?? m?.[2] ?? "";
  const port = Number(m?.[3]);
  if (!m || !isAddress(ip) || port > 65535) {
    throw new HttpError(
      400,
      `previewFor ${
        JSON.stringify(ipPort)
      } is not an IP address and port (e.g. 10.0.0.1:80)`,
    );
  }
  const target: Subject = { kind: "address", raw: ip, ip };
  return (scope, rule) =>
    rule.dst.some((d) =>
      d.ports.some((r) => r.first <= port && port <= r.last) &&
      hostCovers(scope, d.host, target)
    );
}

/** The policy's syntax tree and value; a 400 when it is not a HuJSON object. */
function policyTree(
  text: string,
): { root: Node; value: Record<string, unknown> } {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true });
  if (errors.length || root?.type !== "object") {
    const why = errors.length
      ? `${printParseErrorCode(errors[0].error)} at offset ${errors[0].offset}`
      : "not an object";
    throw new HttpError(400, `parsing policy: ${why}`);
  }
  return { root, value: getNodeValue(root) as Record<string, unknown> };
}

/** 1-based line where the rule's object starts in `text`. */
function lineOf(text: string, root: Node, rule: Rule): number {
  const node = findNodeAtLocation(root, [rule.kind, rule.index]);
  const offset = node?.offset ?? 0;
  return text.slice(0, offset).split("\n").length;
}
