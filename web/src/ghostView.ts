/**
 * A suggested cell, dimmed, below the cell it follows: the AI's proposal until the user takes it
 * (Tab or a click) or leaves it (Esc, or moving on).
 */

import { CellEditor } from "./editor";
import { h } from "./dom";
import { renderMarkdown } from "./markdown";
import type { Cell } from "./notebook";

export interface GhostActions {
  accept(): void;
  reject(): void;
}

export class GhostView {
  readonly element: HTMLElement;
  private editor?: CellEditor;

  constructor(cell: Cell, source: string, actions: GhostActions) {
    const accept = h("button.accept", { type: "button" }, "Accept (Tab)");
    accept.addEventListener("click", (e) => {
      e.stopPropagation();
      actions.accept();
    });
    const dismiss = h("button.dismiss", { type: "button" }, "Dismiss (Esc)");
    dismiss.addEventListener("click", (e) => {
      e.stopPropagation();
      actions.reject();
    });
    const bar = h(
      "div.cell-bar",
      {},
      h("span.ghost-label", {}, "Suggestion"),
      h("span.ghost-source", {}, source),
      h("span.spacer"),
      accept,
      dismiss,
    );
    const body = h("div.cell-editor");
    this.element = h(
      `section.cell.${cell.kind}.ghost`,
      {
        tabindex: 0,
        "data-cell-id": cell.id,
        "aria-label": `Suggested ${cell.kind === "code" ? "code" : "text"} cell: Tab or click to accept, Escape to dismiss`,
      },
      bar,
      body,
    );
    if (cell.kind === "code") {
      this.editor = new CellEditor({
        parent: body,
        value: cell.value,
        languageId: cell.languageId,
        readOnly: true,
        label: "Suggested code",
      });
    } else {
      body.classList.add("markdown-body");
      body.innerHTML = renderMarkdown(cell.value);
    }
    this.element.addEventListener("click", () => actions.accept());
    this.element.addEventListener("keydown", (event) => {
      if (event.key === "Tab" || event.key === "Enter") {
        event.preventDefault();
        actions.accept();
      } else if (event.key === "Escape") {
        event.preventDefault();
        actions.reject();
      }
    });
  }

  destroy(): void {
    this.editor?.destroy();
    this.element.remove();
  }
}
