/**
 * The page: header, runbook list, notebook, side panel and status line, and the controller
 * that ties the model (Notebook) to the server (api, runs, suggestions) and to the keyboard.
 */

import { ApiError, listFiles, openNotebook, renameFile, saveNotebook } from "./api";
import { attributesForm } from "./attributesPanel";
import type { CellActions } from "./cellView";
import { commandKey } from "./commandKeys";
import { ask } from "./dialog";
import { h, iconButton } from "./dom";
import { EnvironmentPanel } from "./environmentPanel";
import { COMMON_LANGUAGES } from "./languages";
import { displayName, newCell, Notebook, type Cell, type ChangeKind } from "./notebook";
import { NotebookView } from "./notebookView";
import { preloadTerminal } from "./output/terminal";
import { askConflict, askUnsaved, changedOnDisk } from "./questions";
import { checkPath, titleOf } from "./runbookPath";
import { Runs } from "./runs";
import { SidePanel } from "./sidePanel";
import { Sidebar } from "./sidebar";
import { StatusBar, type StatusAction, type Tone } from "./statusBar";
import { Suggestions } from "./suggestions";
import type { CellKind, NotebookDocument } from "./wire";

type PanelKind = "attributes" | "environment";

export class App implements CellActions {
  readonly view: NotebookView;
  private readonly sidebar: Sidebar;
  private readonly runs: Runs;
  private readonly suggestions: Suggestions;
  private readonly environment: EnvironmentPanel;
  private readonly root: HTMLElement;
  private readonly title = h("span.doc-path");
  private readonly dirtyMark = h(
    "span.dirty",
    { title: "Unsaved changes", "aria-label": "unsaved changes", hidden: true },
    "●",
  );
  private readonly statusBar: StatusBar;
  private readonly panel: SidePanel<PanelKind>;
  private readonly content = h("main.content", { id: "content" });
  private readonly banner = h("div.banner", { role: "alert", hidden: true });
  private readonly runAllButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly saveButton: HTMLButtonElement;
  private menu: HTMLButtonElement | undefined;
  private nb: Notebook | undefined;
  private selected = "";
  private saving = false;
  private opening = 0;

  constructor(root: HTMLElement) {
    this.root = root;
    this.view = new NotebookView(this, (kind) => this.addAtEnd(kind));
    this.sidebar = new Sidebar({
      open: (path, cellId) => void this.open(path, cellId),
      create: () => void this.create(),
      rename: (path) => void this.rename(path),
      refresh: () => void this.refreshFiles(),
    });
    this.runs = new Runs({
      notebook: () => this.nb,
      view: (id) => this.view.view(id),
      status: (text, kind) => this.status(text, kind),
      session: () => this.environmentChanged(),
      changed: () => this.runsChanged(),
    });
    this.suggestions = new Suggestions({
      notebook: () => this.nb,
      view: this.view,
      status: (text, kind, title) => this.statusBar.ai(text, kind, title),
      insert: (afterId, cells) => this.insertAccepted(afterId, cells),
    });
    this.statusBar = new StatusBar(this.suggestions.automatic, (on) => {
      this.suggestions.automatic = on;
    });
    this.panel = new SidePanel(root, () => this.view.view(this.selected)?.focus());
    this.environment = new EnvironmentPanel({
      sessionId: () => this.runs.sessionId,
      reset: () => {
        this.runs.sessionId = undefined;
        this.status("Session reset: the next run starts a new one");
      },
    });
    this.saveButton = h("button.save", { type: "button", title: "Save (Ctrl+S)" }, "Save");
    this.saveButton.addEventListener("click", () => void this.save());
    this.runAllButton = h(
      "button.run-all",
      { type: "button", title: "Run all cells" },
      "▶ Run all",
    );
    this.runAllButton.addEventListener("click", () => void this.runs.runAll());
    this.stopButton = h(
      "button.stop-all",
      { type: "button", title: "Stop everything running", disabled: true },
      "■ Stop",
    );
    this.stopButton.addEventListener("click", () => this.runs.stopAll());
    this.layout();
    this.keyboard();
  }

  // ---- layout ------------------------------------------------------------------------------

  private layout(): void {
    const menu = iconButton("menu", "☰", "Show runbooks", () => this.toggleSidebar());
    menu.setAttribute("aria-expanded", "false");
    this.menu = menu;
    const envButton = h("button.env", { type: "button", title: "Session environment" }, "Env");
    envButton.addEventListener("click", () => this.togglePanel("environment"));
    const header = h(
      "header.topbar",
      {},
      menu,
      h("span.brand", {}, "Waypost"),
      h("span.doc", {}, this.title, this.dirtyMark),
      h("span.spacer"),
      this.saveButton,
      this.runAllButton,
      this.stopButton,
      envButton,
    );
    this.content.append(this.banner, this.view.element);
    const languages = h(
      "datalist",
      { id: "languages" },
      ...COMMON_LANGUAGES.map((l) => h("option", { value: l })),
    );
    const skip = h("a.skip", { href: "#content" }, "Skip to notebook");
    this.root.replaceChildren(
      skip,
      header,
      h("div.workspace", {}, this.sidebar.element, this.content, this.panel.element),
      this.statusBar.element,
      languages,
    );
    this.statusBar.ai(
      this.suggestions.automatic ? "AI: suggests as you type" : "AI: on request (Ctrl+Enter)",
    );
  }

  private toggleSidebar(open = !this.root.classList.contains("sidebar-open")): void {
    this.root.classList.toggle("sidebar-open", open);
    this.menu?.setAttribute("aria-expanded", String(open));
    if (open) this.sidebar.element.querySelector<HTMLElement>("button.file")?.focus();
  }

  private togglePanel(kind: PanelKind): void {
    if (this.panel.kind === kind) this.panel.close();
    else this.renderPanel(kind);
  }

  private renderPanel(kind: PanelKind | undefined = this.panel.kind): void {
    if (kind === "environment") {
      this.panel.show("environment", "Environment", this.environment.element);
      void this.environment.refresh();
      return;
    }
    if (kind !== "attributes") return;
    const cell = this.nb?.cell(this.selected);
    const title = cell ? `Cell ${displayName(cell) || ""}`.trim() : "Cell";
    if (!cell || cell.kind !== "code") {
      this.panel.show(
        "attributes",
        title,
        h("p.muted", {}, "Select a code cell to edit its attributes."),
      );
      return;
    }
    const id = cell.id;
    this.panel.show(
      "attributes",
      title,
      attributesForm(cell, {
        attribute: (key, value) => this.nb?.setAttribute(id, key, value),
        language: (languageId) => this.language(id, languageId),
      }),
    );
  }

  // ---- messages ----------------------------------------------------------------------------

  status(text: string, tone: Tone = "", action?: StatusAction): void {
    this.statusBar.say(text, tone, action);
  }

  // ---- files -------------------------------------------------------------------------------

  async start(): Promise<void> {
    window.addEventListener("hashchange", () => {
      const path = this.route();
      if (path && path !== this.nb?.path) void this.open(path);
    });
    window.addEventListener("beforeunload", (event) => {
      if (this.nb?.dirty) event.preventDefault();
    });
    window.addEventListener("focus", () => void this.checkDisk());
    // the runbook in the address opens while the list is still loading
    const routed = this.route();
    const files = this.refreshFiles();
    const path = routed || (await files)[0]?.path;
    if (path) await this.open(path);
    else this.empty();
    await files;
    // the terminal is loaded while the user reads, so the first run does not wait for it
    const idle = window.requestIdleCallback ?? ((f: () => void) => setTimeout(f, 200));
    idle(() => preloadTerminal());
  }

  private route(): string {
    return decodeURIComponent(location.hash.replace(/^#\/?/, ""));
  }

  private async refreshFiles() {
    try {
      const files = await listFiles();
      this.sidebar.setFiles(files);
      return files;
    } catch (error) {
      this.fail("Could not list runbooks", error);
      return [];
    }
  }

  private empty(): void {
    this.title.textContent = "No runbook open";
    this.content.replaceChildren(
      h(
        "div.welcome",
        {},
        h("h1", {}, "No runbooks here yet"),
        h("p", {}, "Create one to start: Markdown with code blocks you can run."),
        h("button.primary", { type: "button", onclick: () => void this.create() }, "New runbook"),
      ),
    );
  }

  /** Leave the open notebook if it has no unsaved changes, or the user says so. */
  private async leave(): Promise<boolean> {
    if (!this.nb?.dirty) return true;
    const answer = await askUnsaved(this.nb.path);
    if (answer === "cancel") return false;
    if (answer === "save") return this.save();
    return true;
  }

  async open(path: string, cellId?: string): Promise<void> {
    this.toggleSidebar(false);
    if (path === this.nb?.path) {
      if (cellId) this.reveal(cellId);
      return;
    }
    if (!(await this.leave())) {
      if (this.nb) history.replaceState(null, "", `#${encodeURI(this.nb.path)}`);
      return;
    }
    const ticket = ++this.opening;
    this.status(`Opening ${path}…`, "busy");
    let doc: NotebookDocument;
    try {
      doc = await openNotebook(path);
    } catch (error) {
      if (ticket === this.opening) this.fail(`Could not open ${path}`, error);
      return;
    }
    if (ticket !== this.opening) return;
    performance.mark("waypost:notebook-fetched");
    this.show(doc);
    this.status("");
    if (cellId) this.reveal(cellId);
  }

  private show(doc: NotebookDocument, keepSession = false): void {
    this.suggestions.reset();
    if (!keepSession) {
      this.runs.forget();
      this.runs.sessionId = undefined;
    }
    const nb = new Notebook(doc);
    this.nb = nb;
    if (nb.isNew && nb.cells.length === 0) {
      nb.insert(0, newCell("markup", "", `# ${titleOf(doc.path)}`));
      nb.insert(1, newCell("code", "sh", ""));
    }
    nb.addEventListener("change", (event) => {
      const { kind, id } = (event as CustomEvent<{ kind: ChangeKind; id?: string }>).detail;
      this.changed(kind, id);
    });
    if (!this.content.contains(this.view.element)) {
      this.content.replaceChildren(this.banner, this.view.element);
    }
    this.banner.hidden = true;
    this.view.show(nb, frontmatterView(doc));
    this.selected = "";
    const hash = `#${encodeURI(doc.path)}`;
    if (location.hash !== hash) history.replaceState(null, "", hash);
    this.titles();
    if (this.panel.kind) this.renderPanel();
    performance.mark("waypost:notebook-shown");
    requestAnimationFrame(() => setTimeout(() => performance.mark("waypost:interactive"), 0));
  }

  private reveal(cellId: string): void {
    const view = this.view.view(cellId);
    if (view) view.focus();
  }

  private changed(kind: ChangeKind, id?: string): void {
    if (kind === "structure") this.view.sync();
    if (kind === "content" && id) {
      const cell = this.nb?.cell(id);
      if (cell) this.view.view(id)?.update(cell);
      if (this.panel.kind === "attributes" && id === this.selected && !this.panel.editing) {
        this.renderPanel();
      }
    }
    this.titles();
  }

  private titles(): void {
    const nb = this.nb;
    this.title.textContent = nb ? nb.path : "";
    this.dirtyMark.hidden = !nb?.dirty;
    this.saveButton.classList.toggle("attention", Boolean(nb?.dirty));
    document.title = nb ? `${nb.dirty ? "● " : ""}${nb.path} — Waypost` : "Waypost";
    this.sidebar.mark(nb?.path ?? "", Boolean(nb?.dirty));
  }

  /** Write the notebook; true when it is saved. */
  async save(force = false): Promise<boolean> {
    const nb = this.nb;
    if (!nb || this.saving) return false;
    this.saving = true;
    const version = nb.version;
    this.status(`Saving ${nb.path}…`, "busy");
    try {
      const doc = await saveNotebook(nb.path, { hash: nb.hash, cells: nb.outgoing(), force });
      if (this.nb !== nb) return true;
      nb.saved(doc, version);
      this.status(`Saved ${doc.path}`);
      void this.refreshFiles();
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.code === "conflict") return this.conflict();
      this.fail(`Could not save ${nb.path}`, error);
      return false;
    } finally {
      this.saving = false;
      this.titles();
    }
  }

  /** The file changed on disk since it was opened: the user decides, nothing is lost silently. */
  private async conflict(): Promise<boolean> {
    const nb = this.nb!;
    this.status(`${nb.path} changed on disk`, "error");
    const answer = await askConflict(nb.path);
    if (answer === "overwrite") {
      this.saving = false;
      return this.save(true);
    }
    if (answer === "reload") {
      try {
        this.show(await openNotebook(nb.path), true);
        this.status(`Reloaded ${nb.path} from disk`);
      } catch (error) {
        this.fail(`Could not reload ${nb.path}`, error);
      }
      return false;
    }
    this.status("Not saved: the file on disk is newer. Save again to choose.", "error");
    return false;
  }

  /** Back in the window: if the file changed on disk meanwhile, say so (and change nothing). */
  private async checkDisk(): Promise<void> {
    const nb = this.nb;
    if (!nb || nb.isNew || this.saving) return;
    let doc: NotebookDocument;
    try {
      doc = await openNotebook(nb.path);
    } catch {
      return;
    }
    if (this.nb !== nb || doc.hash === nb.hash || this.saving) return;
    const reload = () => {
      this.show(doc, true);
      this.status(`Reloaded ${doc.path} from disk`);
    };
    const keep = () => (this.banner.hidden = true);
    this.banner.replaceChildren(...changedOnDisk(nb.path, nb.dirty, reload, keep));
    this.banner.hidden = false;
  }

  private async create(): Promise<void> {
    const known = new Set((await this.refreshFiles()).map((f) => f.path));
    const path = await ask("New runbook", "Path in the project", "untitled.md", (value) =>
      checkPath(value, known),
    );
    if (path) await this.open(path);
  }

  private async rename(from: string): Promise<void> {
    const known = new Set((await this.refreshFiles()).map((f) => f.path));
    known.delete(from);
    const to = await ask(`Rename ${from}`, "New path in the project", from, (value) =>
      value === from ? "That is its name already" : checkPath(value, known),
    );
    if (!to) return;
    try {
      const result = await renameFile(from, to);
      if (this.nb?.path === from) {
        this.nb.path = result.path;
        history.replaceState(null, "", `#${encodeURI(result.path)}`);
        this.titles();
      }
      this.status(`Renamed ${from} to ${result.path}`);
    } catch (error) {
      this.fail(`Could not rename ${from}`, error);
    }
    await this.refreshFiles();
  }

  private fail(what: string, error: unknown): void {
    let detail = String(error);
    if (error instanceof ApiError) {
      detail =
        error.status === 401
          ? "not signed in: open the address `waypost serve` printed (it has ?token=)"
          : error.message;
    }
    this.status(`${what}: ${detail}`, "error");
  }

  // ---- cells (CellActions) -----------------------------------------------------------------

  run(id: string, advance: boolean): void {
    if (advance) this.sibling(id, 1);
    void this.runs.run(id);
  }

  stop(id: string): void {
    this.runs.stop(id);
  }

  remove(id: string): void {
    const nb = this.nb;
    if (!nb) return;
    if (this.runs.isRunning(id)) this.runs.stop(id);
    const index = nb.index(id);
    const removed = nb.remove(id);
    if (!removed) return;
    const next = nb.cells[Math.min(index, nb.cells.length - 1)];
    if (next) this.view.view(next.id)?.focus();
    this.status(`Deleted a ${removed.cell.kind === "code" ? "code" : "text"} cell`, "", {
      label: "Undo",
      run: () => {
        nb.insert(removed.index, removed.cell);
        this.view.view(removed.cell.id)?.focus();
      },
    });
  }

  move(id: string, delta: -1 | 1): void {
    if (this.nb?.move(id, delta)) this.view.view(id)?.focus();
  }

  insert(id: string, where: "above" | "below", kind: CellKind): void {
    const nb = this.nb;
    if (!nb) return;
    const index = nb.index(id);
    const cell = newCell(kind, this.languageNear(index));
    nb.insert(where === "above" ? index : index + 1, cell);
    this.view.view(cell.id)?.edit();
  }

  private addAtEnd(kind: CellKind): void {
    const nb = this.nb;
    if (!nb) return;
    const cell = newCell(kind, this.languageNear(nb.cells.length - 1));
    nb.insert(nb.cells.length, cell);
    this.view.view(cell.id)?.edit();
  }

  private languageNear(index: number): string {
    const cells = this.nb?.cells ?? [];
    for (let i = Math.min(index, cells.length - 1); i >= 0; i--) {
      if (cells[i]!.kind === "code" && cells[i]!.languageId) return cells[i]!.languageId;
    }
    return "sh";
  }

  private insertAccepted(afterId: string, cells: Cell[]): void {
    const nb = this.nb;
    if (!nb) return;
    let index = nb.index(afterId) + 1;
    for (const cell of cells) nb.insert(index++, cell);
    const first = cells[0];
    if (first) this.view.view(first.id)?.focus();
    this.status(`Accepted ${cells.length} suggested cell${cells.length === 1 ? "" : "s"}`);
  }

  edited(id: string, value: string): void {
    this.nb?.setValue(id, value);
    this.suggestions.edited(id);
  }

  language(id: string, languageId: string): void {
    this.nb?.setLanguage(id, languageId);
    this.view.view(id)?.setLanguage(languageId);
  }

  attributes(id: string): void {
    this.selected = id;
    this.renderPanel("attributes");
    this.panel.focusFirstField();
  }

  escape(_id: string): boolean {
    return this.suggestions.reject();
  }

  tab(_id: string): boolean {
    return this.suggestions.accept();
  }

  suggest(id: string): void {
    void this.suggestions.request(id);
  }

  sibling(id: string, delta: -1 | 1): void {
    const nb = this.nb;
    if (!nb) return;
    const next = nb.cells[nb.index(id) + delta];
    if (next) this.view.view(next.id)?.focus();
  }

  focused(id: string): void {
    if (id === this.selected) return;
    const previous = this.view.view(this.selected);
    if (previous?.kind === "markup" && previous.isEditing) previous.leaveEditing(false);
    this.selected = id;
    this.suggestions.focusMoved(id);
    if (this.panel.kind === "attributes") this.renderPanel();
  }

  // ---- runs --------------------------------------------------------------------------------

  private runsChanged(): void {
    this.stopButton.disabled = !this.runs.busy;
    this.runAllButton.disabled = this.runs.busy;
    if (this.panel.kind === "environment") void this.environment.refresh();
  }

  private environmentChanged(): void {
    if (this.panel.kind === "environment") void this.environment.refresh();
  }

  // ---- keyboard ----------------------------------------------------------------------------

  private keyboard(): void {
    document.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
        event.preventDefault();
        void this.save();
      }
    });
    // Escape closes the runbook list on narrow windows, back to the menu button
    this.sidebar.element.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.root.classList.contains("sidebar-open")) {
        this.toggleSidebar(false);
        this.menu?.focus();
      }
    });
    const actions = {
      sibling: (id: string, delta: -1 | 1) => this.sibling(id, delta),
      move: (id: string, delta: -1 | 1) => this.move(id, delta),
      edit: (id: string) => this.view.view(id)?.edit(),
      run: (id: string, advance: boolean) => this.run(id, advance),
      suggest: (id: string) => this.suggest(id),
      insert: (id: string, where: "above" | "below", kind: CellKind) =>
        this.insert(id, where, kind),
      acceptSuggestion: () => this.suggestions.accept(),
      rejectSuggestion: () => this.suggestions.reject(),
    };
    this.view.element.addEventListener("keydown", (event) => {
      const target = event.target as HTMLElement;
      if (!target.matches("section.cell:not(.ghost)")) return;
      const id = target.dataset.cellId ?? "";
      const view = this.view.view(id);
      if (view && commandKey(event, id, view.kind, actions)) event.preventDefault();
    });
  }
}

function frontmatterView(doc: NotebookDocument): HTMLElement | undefined {
  const fm = doc.notebook.frontmatter;
  if (!fm?.raw) return undefined;
  return h(
    "details.frontmatter",
    { role: "listitem" },
    h("summary", {}, `Frontmatter (${fm.format})`),
    h("pre", {}, fm.raw),
  );
}
