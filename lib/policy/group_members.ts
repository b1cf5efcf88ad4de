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
  findNodeAtLocation,
  type FormattingOptions,
  modify,
  type Node,
  type ParseError,
  parseTree,
  printParseErrorCode,
} from "jsonc-parser";

/** The policy file is not HuJSON the editor can work on. */
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
  const edits = modify(text, ["groups", group, -1], member, {
    isArrayInsertion: true,
    formattingOptions: formattingOf(text),
  });
  return { text: applyEdits(text, edits), changed: true };
}

/**
 * Removes every entry equal to `member` (case-insensitively) from `group`;
 * unchanged when it is not there or the group is gone.
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
    const edits = modify(current, ["groups", group, i], undefined, {
      formattingOptions: formattingOf(current),
    });
    current = applyEdits(current, edits);
    changed = true;
  }
  return { text: current, changed };
}
