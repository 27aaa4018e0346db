/** What counts as a runbook's path when the user names one (the server checks again). */

export const RUNBOOK = /\.(md|mdx|mdi|mdr|run|runme|dag)$/i;

/** An explanation of what is wrong with `value` as a new runbook's path, or "". */
export function checkPath(value: string, taken: Set<string>): string {
  if (!value) return "Give it a path, such as docs/setup.md";
  if (value.startsWith("/") || value.split("/").includes("..")) {
    return "A path inside the project, without .. or a leading /";
  }
  if (!RUNBOOK.test(value)) return "A runbook ends in .md (or .mdx, .mdr, .run, .runme)";
  if (taken.has(value)) return "There is a runbook with that path already";
  return "";
}

/** The runbook's title for a new file: its name without directory or extension. */
export function titleOf(path: string): string {
  return path.replace(/^.*\//, "").replace(RUNBOOK, "");
}
