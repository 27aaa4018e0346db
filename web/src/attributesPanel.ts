/** A code cell's attributes in a small form: each change goes straight into the notebook. */

import { h } from "./dom";
import { displayName, isInteractive, isTrue, type Cell } from "./notebook";

export interface AttributeEdits {
  attribute(key: string, value: string | undefined): void;
  language(languageId: string): void;
}

const MIME_TYPES = [
  "application/json",
  "text/csv",
  "text/tab-separated-values",
  "text/markdown",
  "text/html",
  "image/svg+xml",
  "text/plain",
];

export function attributesForm(cell: Cell, edits: AttributeEdits): HTMLElement {
  const text = (key: string, label: string, hint: string, list?: string) => {
    const id = `attr-${key}`;
    const input = h("input", {
      id,
      type: "text",
      spellcheck: "false",
      list,
      placeholder: hint,
      value: key === "languageId" ? cell.languageId : (cell.metadata[key] ?? ""),
    });
    input.addEventListener("change", () => {
      const value = input.value.trim();
      if (key === "languageId") edits.language(value);
      else edits.attribute(key, value || undefined);
    });
    return h("div.field", {}, h("label", { for: id }, label), input);
  };
  const flag = (key: string, label: string, checked: boolean, defaultOn: boolean) => {
    const id = `attr-${key}`;
    const input = h("input", { id, type: "checkbox", checked });
    input.addEventListener("change", () => {
      const had = cell.metadata[key] !== undefined;
      // the default needs no attribute; anything else is written down
      const value = input.checked === defaultOn && !had ? undefined : String(input.checked);
      edits.attribute(key, value);
    });
    return h("div.field.check", {}, input, h("label", { for: id }, label));
  };
  const datalist = h(
    "datalist",
    { id: "mime-types" },
    ...MIME_TYPES.map((m) => h("option", { value: m })),
  );
  return h(
    "form.attributes",
    {
      "aria-label": `Attributes of ${displayName(cell) || "cell"}`,
      onsubmit: (e: Event) => e.preventDefault(),
    },
    text("name", "Name", displayName(cell) || "a name to run it by"),
    text("languageId", "Language", "sh", "languages"),
    flag("interactive", "Interactive (runs in a terminal)", isInteractive(cell), true),
    flag("background", "Background (keeps running)", isTrue(cell.metadata.background), false),
    flag("excludeFromRunAll", "Skip in Run all", isTrue(cell.metadata.excludeFromRunAll), false),
    text("cwd", "Working directory", "the runbook's directory"),
    text("interpreter", "Interpreter", "from the language"),
    text("mimeType", "Output type", "sniffed from the output", "mime-types"),
    datalist,
  );
}
