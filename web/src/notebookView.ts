/**
 * The notebook on the page: one CellView per cell, in the model's order, plus the suggestion
 * cells of the moment. Editors are made only for cells near the viewport, which keeps a
 * 300-cell runbook quick to open.
 */

import { CellView, type CellActions } from "./cellView";
import { h } from "./dom";
import { GhostView } from "./ghostView";
import type { Notebook } from "./notebook";

export class NotebookView {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly views = new Map<string, CellView>();
  private readonly observer: IntersectionObserver;
  private ghosts: GhostView[] = [];
  private notebook?: Notebook;

  constructor(
    private readonly actions: CellActions,
    private readonly onAddAtEnd: (kind: "code" | "markup") => void,
  ) {
    this.list = h("div.cells", { role: "list", "aria-label": "Cells" });
    const footer = h(
      "div.notebook-end",
      {},
      h("button.add", { type: "button", onclick: () => this.onAddAtEnd("code") }, "+ Code"),
      h("button.add", { type: "button", onclick: () => this.onAddAtEnd("markup") }, "+ Text"),
    );
    this.element = h("div.notebook", {}, this.list, footer);
    this.observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          const id = (entry.target as HTMLElement).dataset.cellId ?? "";
          this.views.get(id)?.mountEditor();
          this.observer.unobserve(entry.target);
        }
      },
      { rootMargin: "400px 0px" },
    );
  }

  /** Show a notebook from scratch. */
  show(notebook: Notebook, frontmatter?: HTMLElement): void {
    this.clearGhosts();
    for (const view of this.views.values()) view.destroy();
    this.views.clear();
    this.observer.disconnect();
    this.notebook = notebook;
    const fragment = document.createDocumentFragment();
    if (frontmatter) fragment.append(frontmatter);
    for (const cell of notebook.cells) fragment.append(this.make(cell.id).element);
    this.list.replaceChildren(fragment);
  }

  private make(id: string): CellView {
    const cell = this.notebook!.cell(id)!;
    const view = new CellView(cell, this.actions);
    view.element.setAttribute("role", "listitem");
    this.views.set(id, view);
    if (cell.kind === "code") this.observer.observe(view.element);
    return view;
  }

  /** Match the page to the model after cells were added, removed or moved. */
  sync(): void {
    const notebook = this.notebook!;
    const wanted = new Set(notebook.cells.map((c) => c.id));
    for (const [id, view] of this.views) {
      if (!wanted.has(id)) {
        view.destroy();
        this.views.delete(id);
      }
    }
    let anchor: Element | null = this.list.querySelector(":scope > .frontmatter");
    for (const cell of notebook.cells) {
      const view = this.views.get(cell.id) ?? this.make(cell.id);
      const expected = anchor ? anchor.nextElementSibling : this.list.firstElementChild;
      if (expected !== view.element) {
        // keep focus where it was across the move
        const focused = view.element.contains(document.activeElement)
          ? (document.activeElement as HTMLElement)
          : null;
        this.list.insertBefore(view.element, expected);
        focused?.focus({ preventScroll: true });
      }
      anchor = view.element;
      // suggestions stay right below the cell they follow
      while (anchor.nextElementSibling?.classList.contains("ghost")) {
        anchor = anchor.nextElementSibling;
      }
    }
  }

  view(id: string): CellView | undefined {
    return this.views.get(id);
  }

  get cellViews(): Iterable<CellView> {
    return this.views.values();
  }

  /** Show suggestions after cell `afterId`. */
  showGhosts(afterId: string, ghosts: GhostView[]): void {
    this.clearGhosts();
    const after = this.views.get(afterId)?.element;
    if (!after) return;
    let anchor: Element = after;
    for (const ghost of ghosts) {
      anchor.after(ghost.element);
      anchor = ghost.element;
    }
    this.ghosts = ghosts;
  }

  clearGhosts(): void {
    for (const ghost of this.ghosts) ghost.destroy();
    this.ghosts = [];
  }
}
