/** The panel at the right (a sheet over the notebook on narrow windows): one view at a time. */

import { h, iconButton } from "./dom";

export class SidePanel<K extends string> {
  readonly element = h("aside.panel", { hidden: true, "aria-labelledby": "panel-title" });
  private readonly title = h("h2", { id: "panel-title" });
  private readonly body = h("div.panel-body");
  private current: K | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly onClose: () => void,
  ) {
    const close = iconButton("close", "✕", "Close panel", () => this.close());
    this.element.append(h("div.panel-head", {}, this.title, close), this.body);
    this.element.addEventListener("keydown", (event) => {
      const target = event.target;
      const clearing =
        target instanceof HTMLInputElement && target.type === "search" && target.value;
      if (event.key === "Escape" && !clearing) this.close();
    });
  }

  get kind(): K | undefined {
    return this.current;
  }

  /** Whether focus is in a field of the panel (a redraw would take it away). */
  get editing(): boolean {
    const active = document.activeElement;
    return active instanceof HTMLInputElement && this.element.contains(active);
  }

  show(kind: K, title: string, ...content: Node[]): void {
    this.current = kind;
    this.element.hidden = false;
    this.root.classList.add("panel-open");
    this.title.textContent = title;
    this.body.replaceChildren(...content);
  }

  focusFirstField(): void {
    this.body.querySelector<HTMLInputElement>("input")?.focus();
  }

  close(): void {
    this.current = undefined;
    this.element.hidden = true;
    this.root.classList.remove("panel-open");
    this.onClose();
  }
}
