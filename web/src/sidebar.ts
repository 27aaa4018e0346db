/**
 * The project's runbooks and their named cells: open one, jump to a cell, create, rename. The
 * open file is marked, with a dot while it has unsaved changes.
 */

import { h, iconButton } from "./dom";
import type { FileEntry } from "./wire";

export interface SidebarActions {
  open(path: string, cellId?: string): void;
  create(): void;
  rename(path: string): void;
  refresh(): void;
}

export class Sidebar {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly filter: HTMLInputElement;
  private files: FileEntry[] = [];
  private current = "";
  private dirty = false;
  /** Files whose cell list the user opened or closed; by default only the open file's shows. */
  private readonly expanded = new Map<string, boolean>();

  constructor(private readonly actions: SidebarActions) {
    this.filter = h("input.filter", {
      type: "search",
      placeholder: "Filter runbooks",
      "aria-label": "Filter runbooks",
    });
    this.filter.addEventListener("input", () => this.render());
    this.list = h("ul.files", { "aria-label": "Runbooks" });
    this.element = h(
      "nav.sidebar",
      { "aria-label": "Runbooks" },
      h(
        "div.sidebar-head",
        {},
        h("h2", {}, "Runbooks"),
        iconButton("new", "+", "New runbook", () => actions.create()),
        iconButton("reload", "↻", "Reload the list", () => actions.refresh()),
      ),
      this.filter,
      this.list,
    );
  }

  setFiles(files: FileEntry[]): void {
    this.files = files;
    this.render();
  }

  mark(current: string, dirty: boolean): void {
    if (current === this.current && dirty === this.dirty) return;
    this.current = current;
    this.dirty = dirty;
    this.render();
  }

  private render(): void {
    const needle = this.filter.value.trim().toLowerCase();
    const files = [...this.files];
    if (this.current && !files.some((f) => f.path === this.current)) {
      files.push({ path: this.current, cells: [] });
      files.sort((a, b) => a.path.localeCompare(b.path));
    }
    const items = files
      .filter(
        (f) =>
          !needle ||
          f.path.toLowerCase().includes(needle) ||
          f.cells.some((c) => c.named && c.name.toLowerCase().includes(needle)),
      )
      .map((file) => this.item(file));
    this.list.replaceChildren(...items);
    if (!items.length) this.list.append(h("li.empty", {}, needle ? "No match" : "No runbooks yet"));
  }

  private item(file: FileEntry): HTMLElement {
    const isCurrent = file.path === this.current;
    const open = h(
      "button.file",
      {
        type: "button",
        title: file.path,
        "aria-current": isCurrent ? "page" : undefined,
        onclick: () => this.actions.open(file.path),
      },
      h("span.file-name", {}, file.path),
    );
    if (isCurrent && this.dirty) {
      open.append(
        h("span.dirty", { "aria-label": "unsaved changes", title: "Unsaved changes" }, "●"),
      );
    }
    const rename = iconButton("rename", "✎", `Rename ${file.path}`, () =>
      this.actions.rename(file.path),
    );
    const named = file.cells.filter((c) => c.named);
    const row = h("div.file-row", {}, open, rename);
    const li = h("li", { class: isCurrent ? "current" : "" }, row);
    if (!named.length) return li;
    const expanded = this.expanded.get(file.path) ?? isCurrent;
    const toggle = h(
      "button.toggle",
      {
        type: "button",
        "aria-expanded": String(expanded),
        "data-path": file.path,
        "aria-label": `${expanded ? "Hide" : "Show"} the cells of ${file.path}`,
        title: `${named.length} named cell${named.length === 1 ? "" : "s"}`,
      },
      h("span", { "aria-hidden": "true" }, expanded ? "▾" : "▸"),
    );
    toggle.addEventListener("click", () => {
      this.expanded.set(file.path, !expanded);
      this.render();
      // the list was drawn anew: keep the keyboard on this toggle
      this.list
        .querySelector<HTMLElement>(`button.toggle[data-path="${CSS.escape(file.path)}"]`)
        ?.focus();
    });
    row.prepend(toggle);
    if (expanded) {
      li.append(
        h(
          "ul.cell-names",
          { "aria-label": `Cells of ${file.path}` },
          ...named.map((c) =>
            h(
              "li",
              {},
              h(
                "button.cell-link",
                { type: "button", onclick: () => this.actions.open(file.path, c.id) },
                c.name,
              ),
            ),
          ),
        ),
      );
    }
    return li;
  }
}
