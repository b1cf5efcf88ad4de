/**
 * A line diff for the transcript: only the lines that changed, `-` for
 * removed and `+` for added, in file order.
 *
 * @module
 */

/**
 * The changed lines between `before` and `after` (a longest common
 * subsequence of lines; policy files are small).
 *
 * @example
 * ```ts
 * changedLines("a\nb\nc", "a\nB\nc"); // ["- b", "+ B"]
 * ```
 */
export function changedLines(before: string, after: string): string[] {
  const a = before.split("\n");
  const b = after.split("\n");
  // common[i][j]: the longest common run of a[i..] and b[j..].
  const common = Array.from(
    { length: a.length + 1 },
    () => new Array<number>(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i][j] = a[i] === b[j]
        ? common[i + 1][j + 1] + 1
        : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (
      i < a.length && (j === b.length || common[i + 1][j] >= common[i][j + 1])
    ) {
      out.push(`- ${a[i++]}`);
    } else {
      out.push(`+ ${b[j++]}`);
    }
  }
  return out;
}
