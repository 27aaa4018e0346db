/**
 * The AI's next-cell suggestions: asked for after a pause in typing (or at once with
 * Ctrl+Enter in a text cell), shown as ghost cells, accepted with Tab or a click, rejected with
 * Esc or by moving on. Each outcome is logged with the trace id, so learning sees it.
 */

import { ApiError, generate, logEvents } from "./api";
import { formatDuration } from "./dom";
import { GhostView } from "./ghostView";
import { fromWire, type Cell, type Notebook } from "./notebook";
import type { NotebookView } from "./notebookView";
import type { SuggestionEventType } from "./wire";

export const PAUSE_MS = 500;
const AUTO_KEY = "waypost.ai.auto";

export interface SuggestionHost {
  notebook(): Notebook | undefined;
  readonly view: NotebookView;
  /** The status line: which provider answered and how fast, or what went wrong. */
  status(text: string, kind?: "" | "busy" | "error", title?: string): void;
  /** Put the accepted cells into the notebook after `afterId`. */
  insert(afterId: string, cells: Cell[]): void;
}

interface Shown {
  traceId: string;
  anchorId: string;
  cells: Cell[];
  ghosts: GhostView[];
}

export class Suggestions {
  private timer = 0;
  private pending?: AbortController;
  private shown?: Shown;
  private auto = localStorage.getItem(AUTO_KEY) !== "off";

  constructor(private readonly host: SuggestionHost) {}

  get automatic(): boolean {
    return this.auto;
  }

  set automatic(on: boolean) {
    this.auto = on;
    localStorage.setItem(AUTO_KEY, on ? "on" : "off");
    if (!on) this.cancel();
    this.host.status(on ? "AI: suggests as you type" : "AI: on request (Ctrl+Enter)");
  }

  get visible(): boolean {
    return this.shown !== undefined;
  }

  /** The user typed in a cell: what was on offer is left behind; ask again after a pause. */
  edited(cellId: string): void {
    if (this.shown) this.reject();
    this.cancel();
    if (!this.auto) return;
    this.timer = window.setTimeout(() => void this.request(cellId), PAUSE_MS);
  }

  /** Focus went to another cell: moving on from the suggestion. */
  focusMoved(cellId: string): void {
    if (!this.shown || cellId === this.shown.anchorId) return;
    if (this.shown.cells.some((c) => c.id === cellId)) return;
    this.reject();
  }

  /** Ask now for what follows cell `cellId`. */
  async request(cellId: string): Promise<void> {
    this.cancel();
    const notebook = this.host.notebook();
    if (!notebook) return;
    const selected = notebook.index(cellId);
    if (selected < 0) return;
    const controller = new AbortController();
    this.pending = controller;
    this.host.status("AI: thinking…", "busy");
    try {
      const answer = await generate(
        notebook.outgoing(),
        selected,
        notebook.path,
        controller.signal,
      );
      if (this.pending !== controller || this.host.notebook() !== notebook) return;
      this.pending = undefined;
      const source = [answer.provider, answer.model].filter(Boolean).join(" · ");
      const timing = `${source} · ${formatDuration(answer.latencyMs)}`;
      const confidence =
        typeof answer.confidence === "number" ? `confidence ${answer.confidence.toFixed(2)}, ` : "";
      const title = `${confidence}trace ${answer.traceId}`;
      if (!answer.cells.length) {
        this.host.status(`AI: no suggestion (${timing})`, "", title);
        return;
      }
      if (notebook.index(cellId) < 0) return;
      this.show(answer.traceId, cellId, answer.cells.map(fromWire), source);
      this.host.status(`AI: ${timing}`, "", title);
    } catch (error) {
      if (controller.signal.aborted) return;
      this.pending = undefined;
      const message = error instanceof ApiError ? `${error.code}: ${error.message}` : String(error);
      this.host.status(`AI: ${message}`, "error");
    }
  }

  private show(traceId: string, anchorId: string, cells: Cell[], source: string): void {
    if (this.shown) this.reject();
    const ghosts = cells.map(
      (cell) =>
        new GhostView(cell, source, { accept: () => this.accept(), reject: () => this.reject() }),
    );
    this.shown = { traceId, anchorId, cells, ghosts };
    this.host.view.showGhosts(anchorId, ghosts);
  }

  /** Take the suggestion: its cells become the notebook's, ids kept (they go in the fences). */
  accept(): boolean {
    const shown = this.shown;
    if (!shown) return false;
    this.shown = undefined;
    this.host.view.clearGhosts();
    for (const cell of shown.cells) {
      delete cell.metadata._ghostCell;
      if (cell.kind === "code") cell.metadata.id = cell.id;
    }
    this.host.insert(shown.anchorId, shown.cells);
    this.log("accepted", shown);
    return true;
  }

  /** Leave the suggestion. */
  reject(): boolean {
    const shown = this.shown;
    if (!shown) return false;
    this.shown = undefined;
    this.host.view.clearGhosts();
    this.log("rejected", shown);
    return true;
  }

  /** Stop waiting: no pending request, no timer (what is shown stays). */
  cancel(): void {
    window.clearTimeout(this.timer);
    this.timer = 0;
    if (this.pending) {
      this.pending.abort();
      this.pending = undefined;
    }
  }

  /** The notebook is being replaced: forget everything, telling the server what was left. */
  reset(): void {
    this.cancel();
    this.reject();
  }

  private log(type: SuggestionEventType, shown: Shown): void {
    const events = shown.cells.map((c) => ({ type, cellId: c.id, traceId: shown.traceId }));
    logEvents(events).catch((error: unknown) =>
      this.host.status(`AI: could not log ${type}: ${String(error)}`, "error"),
    );
  }
}
