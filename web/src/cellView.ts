/**
 * One cell on the page. A code cell: a bar (run, name, language, status, tools), its editor and
 * its output. A markup cell: rendered Markdown that turns into its source to edit in place.
 * The section itself is focusable (command mode); its editor is edit mode.
 */

import { CellEditor, type EditorKeys } from "./editor";
import { h, iconButton } from "./dom";
import { renderMarkdown, loadRemoteImage } from "./markdown";
import { displayName, isInteractive, isTrue, type Cell } from "./notebook";
import { OutputView } from "./output/outputView";
import type { CellKind } from "./wire";

export interface CellActions {
  run(id: string, advance: boolean): void;
  stop(id: string): void;
  remove(id: string): void;
  move(id: string, delta: -1 | 1): void;
  insert(id: string, where: "above" | "below", kind: CellKind): void;
  edited(id: string, value: string): void;
  language(id: string, languageId: string): void;
  attributes(id: string): void;
  /** Escape in an editor; true when it was for something else (a suggestion) and is used up. */
  escape(id: string): boolean;
  /** Tab in an editor; true when it accepted a suggestion. */
  tab(id: string): boolean;
  suggest(id: string): void;
  save(): void;
  sibling(id: string, delta: -1 | 1): void;
  focused(id: string): void;
}

export type RunState = "idle" | "running" | "stopping";

export class CellView {
  readonly element: HTMLElement;
  readonly output: OutputView | undefined;
  editor: CellEditor | undefined;
  private readonly host: HTMLElement;
  private readonly actions: CellActions;
  private cell: Cell;
  private rendered?: HTMLElement;
  private placeholder?: HTMLElement;
  private nameLabel?: HTMLElement;
  private badges?: HTMLElement;
  private langInput?: HTMLInputElement;
  private status?: HTMLElement;
  private runButton?: HTMLButtonElement;
  private state: RunState = "idle";
  private editing = false;

  constructor(cell: Cell, actions: CellActions) {
    this.cell = cell;
    this.actions = actions;
    this.host = h("div.cell-editor");
    this.element = h(`section.cell.${cell.kind}`, { tabindex: 0, "data-cell-id": cell.id });
    this.element.addEventListener("focusin", () => actions.focused(this.cell.id));
    if (cell.kind === "code") {
      this.output = new OutputView();
      this.buildCode();
    } else {
      this.output = undefined;
      this.buildMarkup();
    }
    this.element.append(this.inserter());
    this.label();
  }

  get id(): string {
    return this.cell.id;
  }

  get kind(): CellKind {
    return this.cell.kind;
  }

  get isEditing(): boolean {
    return this.editing;
  }

  get runState(): RunState {
    return this.state;
  }

  private buildCode(): void {
    const id = () => this.cell.id;
    this.runButton = iconButton("run", "▶", "Run cell (Shift+Enter)", () => {
      if (this.state === "idle") this.actions.run(id(), false);
      else this.actions.stop(id());
    });
    this.nameLabel = h("span.cell-name");
    this.badges = h("span.cell-badges");
    this.langInput = h("input.cell-lang", {
      list: "languages",
      "aria-label": "Language",
      spellcheck: "false",
      size: 8,
    });
    this.langInput.value = this.cell.languageId;
    this.langInput.addEventListener("change", () =>
      this.actions.language(id(), this.langInput!.value.trim()),
    );
    this.status = h("span.cell-status", { role: "status", "aria-live": "polite" });
    const bar = h(
      "div.cell-bar",
      {},
      this.runButton,
      this.nameLabel,
      this.badges,
      this.langInput,
      this.status,
      h("span.spacer"),
      ...this.tools(),
    );
    this.placeholder = h("pre.cell-source", { "aria-hidden": "true" }, this.cell.value || " ");
    this.placeholder.addEventListener("click", () => this.edit());
    this.host.append(this.placeholder);
    this.element.append(bar, this.host, this.output!.element);
    this.refreshBar();
  }

  private buildMarkup(): void {
    const bar = h(
      "div.cell-bar.floating",
      {},
      h("span.spacer"),
      iconButton("edit", "✎", "Edit text (Enter)", () => this.edit()),
      ...this.tools(),
    );
    this.rendered = h("div.markdown-body.rendered");
    this.rendered.addEventListener("dblclick", () => this.edit());
    this.rendered.addEventListener("click", loadRemoteImage);
    this.host.hidden = true;
    this.element.append(bar, this.rendered, this.host);
    this.renderMarkup();
  }

  private tools(): HTMLElement[] {
    const id = () => this.cell.id;
    const tools: HTMLElement[] = [];
    if (this.cell.kind === "code") {
      tools.push(iconButton("attrs", "⚙", "Cell attributes", () => this.actions.attributes(id())));
    }
    tools.push(
      iconButton("up", "↑", "Move up (Alt+↑)", () => this.actions.move(id(), -1)),
      iconButton("down", "↓", "Move down (Alt+↓)", () => this.actions.move(id(), 1)),
      iconButton("delete", "✕", "Delete cell", () => this.actions.remove(id())),
    );
    return tools;
  }

  private inserter(): HTMLElement {
    const id = () => this.cell.id;
    return h(
      "div.inserter",
      {},
      h(
        "button.add",
        { type: "button", onclick: () => this.actions.insert(id(), "below", "code") },
        "+ Code",
      ),
      h(
        "button.add",
        { type: "button", onclick: () => this.actions.insert(id(), "below", "markup") },
        "+ Text",
      ),
    );
  }

  private label(): void {
    const what = this.cell.kind === "code" ? `Code cell ${displayName(this.cell)}` : "Text cell";
    this.element.setAttribute("aria-label", what.trim());
  }

  /** The cell changed in the model (attributes, language, or its text from elsewhere). */
  update(cell: Cell): void {
    this.cell = cell;
    if (cell.kind === "code") {
      this.refreshBar();
      if (this.langInput && document.activeElement !== this.langInput) {
        this.langInput.value = cell.languageId;
      }
      if (this.editor) {
        this.editor.setValue(cell.value);
      } else if (this.placeholder) this.placeholder.textContent = cell.value || " ";
    } else if (!this.editing) {
      this.renderMarkup();
    }
    this.label();
  }

  setLanguage(languageId: string): void {
    this.editor?.setLanguage(languageId);
  }

  private refreshBar(): void {
    const cell = this.cell;
    const name = displayName(cell);
    this.nameLabel!.textContent = name;
    this.nameLabel!.classList.toggle("generated", !cell.metadata.name);
    this.nameLabel!.title = cell.metadata.name ? `name: ${name}` : `generated name: ${name}`;
    const badges: string[] = [];
    if (!isInteractive(cell)) badges.push("non-interactive");
    if (isTrue(cell.metadata.background)) badges.push("background");
    if (isTrue(cell.metadata.excludeFromRunAll)) badges.push("skip in run all");
    if (cell.metadata.mimeType) badges.push(cell.metadata.mimeType);
    this.badges!.replaceChildren(...badges.map((b) => h("span.badge", {}, b)));
  }

  private renderMarkup(): void {
    const text = this.cell.value;
    this.rendered!.innerHTML = text.trim()
      ? renderMarkdown(text)
      : '<p class="empty">Empty text cell: press Enter or double-click to write.</p>';
  }

  /** Put the real editor in place of the static text (when the cell scrolls into view). */
  mountEditor(): void {
    if (this.editor) return;
    const cell = this.cell;
    const keys: EditorKeys = {
      runAndAdvance: () => {
        if (this.cell.kind === "code") this.actions.run(this.cell.id, true);
        else {
          this.leaveEditing();
          this.actions.sibling(this.cell.id, 1);
        }
        return true;
      },
      runInPlace: () => {
        if (this.cell.kind === "code") this.actions.run(this.cell.id, false);
        else this.actions.suggest(this.cell.id);
        return true;
      },
      escape: () => {
        if (this.actions.escape(this.cell.id)) return true;
        this.leaveEditing();
        return true;
      },
      tab: () => this.actions.tab(this.cell.id),
      save: () => {
        this.actions.save();
        return true;
      },
      leave: (direction) => {
        if (this.cell.kind === "markup") return false;
        this.actions.sibling(this.cell.id, direction);
        return true;
      },
    };
    this.editor = new CellEditor({
      parent: this.host,
      value: cell.value,
      languageId: cell.kind === "code" ? cell.languageId : "",
      wrap: cell.kind === "markup",
      placeholder: cell.kind === "code" ? "Type a command…" : "Write Markdown…",
      label: cell.kind === "code" ? `Code of ${displayName(cell) || "cell"}` : "Markdown text",
      keys,
      onEdit: (value) => this.actions.edited(this.cell.id, value),
      onFocus: () => {
        this.editing = true;
        this.element.classList.add("editing");
      },
    });
    this.editor.view.contentDOM.addEventListener("blur", () => {
      if (this.cell.kind === "code") {
        this.editing = false;
        this.element.classList.remove("editing");
      }
    });
    this.placeholder?.remove();
    this.placeholder = undefined;
  }

  /** Edit mode: the cursor in the cell's text. */
  edit(): void {
    if (this.cell.kind === "markup" && !this.editing) {
      this.editing = true;
      this.element.classList.add("editing");
      this.rendered!.hidden = true;
      this.host.hidden = false;
      this.mountEditor();
      this.editor!.focus(true);
      return;
    }
    this.mountEditor();
    this.editor!.focus();
  }

  /** Command mode: the cell selected, no cursor; a markup cell shows its rendering again. */
  leaveEditing(focus = true): void {
    if (this.cell.kind === "markup" && this.editing) {
      this.editing = false;
      this.element.classList.remove("editing");
      this.editor?.destroy();
      this.editor = undefined;
      this.host.replaceChildren();
      this.host.hidden = true;
      this.rendered!.hidden = false;
      this.renderMarkup();
    }
    this.editing = false;
    this.element.classList.remove("editing");
    if (focus) this.element.focus();
  }

  focus(): void {
    this.element.focus();
    this.element.scrollIntoView({ block: "nearest" });
  }

  setRunState(state: RunState): void {
    this.state = state;
    if (!this.runButton) return;
    this.element.classList.toggle("running", state !== "idle");
    const glyph = state === "idle" ? "▶" : "■";
    const label =
      state === "idle"
        ? "Run cell (Shift+Enter)"
        : state === "running"
          ? "Stop (interrupt)"
          : "Kill";
    this.runButton.replaceChildren(h("span", { "aria-hidden": "true" }, glyph));
    this.runButton.setAttribute("aria-label", label);
    this.runButton.title = label;
  }

  setStatus(text: string, kind: "" | "ok" | "fail" | "running" = ""): void {
    if (!this.status) return;
    this.status.textContent = text;
    this.status.className = `cell-status ${kind}`;
  }

  destroy(): void {
    this.editor?.destroy();
    this.output?.clear();
    this.element.remove();
  }
}
