/**
 * Editing one group's member list in a tailnet policy file (HuJSON) without
 * touching anything else: comments, ordering, trailing commas and
 * whitespace outside that array stay byte-for-byte as they were.
 *
 * Built on `jsonc-parser` (`parseTree` to find the array, `modify` and
 * `applyEdits` to change it), never a hand-written parser.
 *
 * @module
 */
import {
  applyEdits,
  type Edit,
  findNodeAtLocation,
  type FormattingOptions,
  modify,
  type Node,
  type ParseError,
  parseTree,
  printParseErrorCode,
} from "jsonc-parser";

/**
 * The policy file is not HuJSON the editor can work on, or Tailscale would
 * not accept the edit: the message says which, for the person told.
 */
export class PolicyFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PolicyFileError";
  }
}

/** The result of an edit: the new text, and whether anything changed. */
export type GroupEdit = { text: string; changed: boolean };

function parse(text: string): Node {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, {
    allowTrailingComma: true,
    disallowComments: false,
  });
  if (!tree || errors.length) {
    const first = errors[0];
    throw new PolicyFileError(
      `the policy file could not be read as HuJSON${
        first
          ? ` (${printParseErrorCode(first.error)} at offset ${first.offset})`
          : ""
      }`,
    );
  }
  return tree;
}

function groupNode(tree: Node, group: string): Node | undefined {
  return findNodeAtLocation(tree, ["groups", group]);
}

/**
 * The members of `group`, or null when the policy file does not define it.
 *
 * @throws {PolicyFileError} when the file is not HuJSON or the group is not
 * a list of strings.
 *
 * @example
 * ```ts
 * groupMembers('{"groups": {"group:prod": ["alice@example.com"]}}', "group:prod");
 * // ["alice@example.com"]
 * ```
 */
export function groupMembers(text: string, group: string): string[] | null {
  const node = groupNode(parse(text), group);
  if (!node) return null;
  if (node.type !== "array") {
    throw new PolicyFileError(`${group} is not a list in the policy file`);
  }
  return (node.children ?? []).map((c) => {
    if (c.type !== "string") {
      throw new PolicyFileError(`${group} has a member that is not a string`);
    }
    return c.value as string;
  });
}

/** Indentation as the file already uses it, for the edited array. */
function formattingOf(text: string): FormattingOptions {
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? "  ";
  return {
    insertSpaces: !indent.startsWith("\t"),
    tabSize: indent.startsWith("\t") ? 1 : indent.length,
    eol: text.includes("\r\n") ? "\r\n" : "\n",
  };
}

/**
 * Adds `member` to `group`; unchanged when already a member (compared
 * case-insensitively, as Tailscale compares logins).
 *
 * @throws {PolicyFileError} when the group does not exist: groups are never
 * created silently.
 *
 * @example
 * ```ts
 * const { text: edited, changed } = addMember(text, "group:prod", "bob@example.com");
 * ```
 */
export function addMember(
  text: string,
  group: string,
  member: string,
): GroupEdit {
  const members = groupMembers(text, group);
  if (members === null) {
    throw new PolicyFileError(`the policy file has no group ${group}`);
  }
  if (members.some((m) => m.toLowerCase() === member.toLowerCase())) {
    return { text, changed: false };
  }
  return {
    text: applyEdits(text, [appendEdit(text, group, member)]),
    changed: true,
  };
}

/**
 * The edit that appends `member` after the array's last element, in the
 * array's own style: `, "x"` on one line, or a new line with the last
 * element's indentation. Its exact inverse is {@linkcode removeMember}'s
 * common case, so a grant and its removal leave the file as it was.
 */
function appendEdit(text: string, group: string, member: string): Edit {
  const node = groupNode(parse(text), group)!;
  const quoted = JSON.stringify(member);
  const last = node.children?.at(-1);
  if (!last) return { offset: node.offset + 1, length: 0, content: quoted };
  const end = last.offset + last.length;
  const first = node.children![0];
  const multiline = text.slice(node.offset, first.offset).includes("\n");
  if (!multiline) return { offset: end, length: 0, content: `, ${quoted}` };
  const lineStart = text.lastIndexOf("\n", last.offset) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const eol = text[lineStart - 2] === "\r" ? "\r\n" : "\n";
  return { offset: end, length: 0, content: `,${eol}${indent}${quoted}` };
}

/** The edit that removes the line holding only `item` (and a comma). */
function ownLine(text: string, item: Node): Edit | null {
  const start = text.lastIndexOf("\n", item.offset) + 1;
  const end = item.offset + item.length;
  const newline = text.indexOf("\n", end);
  const stop = newline === -1 ? text.length : newline + 1;
  return /^[ \t]*$/.test(text.slice(start, item.offset)) &&
      /^[ \t]*,?[ \t]*\r?\n?$/.test(text.slice(end, stop))
    ? { offset: start, length: stop - start, content: "" }
    : null;
}

/**
 * The edit that removes element `i` together with the separator before it
 * (or after it, for the first), when only commas and whitespace lie there;
 * null when a comment does, so the caller falls back to `modify`.
 */
function cutEdit(text: string, node: Node, i: number): Edit | null {
  const items = node.children!;
  const cur = items[i];
  const clean = (from: number, to: number) =>
    /^[\s,]*$/.test(text.slice(from, to));
  if (i > 0) {
    const prev = items[i - 1];
    const from = prev.offset + prev.length;
    const to = cur.offset + cur.length;
    if (clean(from, cur.offset)) {
      return { offset: from, length: to - from, content: "" };
    }
    // A comment before it (on the line above) stays: take its line alone.
    return ownLine(text, cur);
  }
  // The first element goes with what follows it, up to the next element
  // (or, when it is the only one, up to the closing bracket).
  const to = items[1]?.offset ?? node.offset + node.length - 1;
  return clean(cur.offset + cur.length, to)
    ? { offset: cur.offset, length: to - cur.offset, content: "" }
    : null;
}

/**
 * Removes every entry equal to `member` (case-insensitively) from `group`;
 * unchanged when it is not there or the group is gone.
 *
 * @example
 * ```ts
 * const { text: edited } = removeMember(text, "group:prod", "bob@example.com");
 * ```
 */
export function removeMember(
  text: string,
  group: string,
  member: string,
): GroupEdit {
  const members = groupMembers(text, group);
  if (members === null) return { text, changed: false };
  let current = text;
  let changed = false;
  // Last first, so earlier indexes stay valid.
  for (let i = members.length - 1; i >= 0; i--) {
    if (members[i].toLowerCase() !== member.toLowerCase()) continue;
    const node = groupNode(parse(current), group)!;
    const cut = cutEdit(current, node, i);
    const edits = cut
      ? [cut]
      : modify(current, ["groups", group, i], undefined, {
        formattingOptions: formattingOf(current),
      });
    current = applyEdits(current, edits);
    changed = true;
  }
  return { text: current, changed };
}
