/**
 * Keys on a selected cell (command mode, Jupyter-like): ↑/↓ (or k/j) move between cells, Alt+↑/↓
 * move the cell, Enter edits, Shift+Enter runs and moves on, Ctrl+Enter runs in place (a text
 * cell: asks the AI), a/b add a code cell above/below, Tab/Esc take or leave a suggestion.
 */

import type { CellKind } from "./wire";

export interface CommandActions {
  sibling(id: string, delta: -1 | 1): void;
  move(id: string, delta: -1 | 1): void;
  edit(id: string): void;
  run(id: string, advance: boolean): void;
  suggest(id: string): void;
  insert(id: string, where: "above" | "below", kind: CellKind): void;
  /** True when there was a suggestion to take or leave. */
  acceptSuggestion(): boolean;
  rejectSuggestion(): boolean;
}

/** Handle a key pressed on cell `id`; true when it was one of ours. */
export function commandKey(
  event: KeyboardEvent,
  id: string,
  kind: CellKind,
  actions: CommandActions,
): boolean {
  const mod = event.ctrlKey || event.metaKey;
  switch (event.key) {
    case "ArrowDown":
    case "j":
      if (event.altKey) actions.move(id, 1);
      else actions.sibling(id, 1);
      return true;
    case "ArrowUp":
    case "k":
      if (event.altKey) actions.move(id, -1);
      else actions.sibling(id, -1);
      return true;
    case "Enter":
      if (event.shiftKey) {
        if (kind === "code") actions.run(id, true);
        else actions.sibling(id, 1);
      } else if (mod) {
        if (kind === "code") actions.run(id, false);
        else actions.suggest(id);
      } else {
        actions.edit(id);
      }
      return true;
    case "Escape":
      return actions.rejectSuggestion();
    case "Tab":
      return !event.shiftKey && actions.acceptSuggestion();
    case "a":
    case "b":
      if (mod || event.altKey) return false;
      actions.insert(id, event.key === "a" ? "above" : "below", "code");
      return true;
    default:
      return false;
  }
}
