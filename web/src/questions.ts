/** What the notebook asks before it could lose work: nothing on disk or in the page goes silently. */

import { choose } from "./dialog";
import { h } from "./dom";

export function askUnsaved(path: string): Promise<"save" | "discard" | "cancel"> {
  return choose(
    "Unsaved changes",
    `${path} has changes that are not saved.`,
    [
      { value: "save", label: "Save", primary: true },
      { value: "discard", label: "Discard changes" },
      { value: "cancel", label: "Cancel" },
    ],
    "cancel",
  );
}

/** A save found the file changed on disk since it was opened. */
export function askConflict(path: string): Promise<"reload" | "overwrite" | "keep"> {
  return choose(
    "The file changed on disk",
    `Someone else changed ${path} since you opened it. Your changes are not saved yet.`,
    [
      { value: "reload", label: "Reload theirs (drop my changes)" },
      { value: "overwrite", label: "Overwrite with mine" },
      { value: "keep", label: "Keep editing", primary: true },
    ],
    "keep",
  );
}

/** The banner's content when the file changed on disk while the page was away. */
export function changedOnDisk(
  path: string,
  dirty: boolean,
  reload: () => void,
  keep: () => void,
): Node[] {
  return [
    h("span", {}, `${path} changed on disk since you opened it.`),
    h(
      "button",
      { type: "button", onclick: reload },
      dirty ? "Reload theirs (drop my changes)" : "Reload",
    ),
    h("button", { type: "button", onclick: keep }, "Keep mine"),
  ];
}
