/**
 * Running cells: one execution per cell over the WebSocket, all in the notebook's session; run
 * all goes top to bottom and stops at the first failure; stop interrupts, a second stop kills.
 */

import type { CellView } from "./cellView";
import { formatDuration } from "./dom";
import { Execution, type Outcome } from "./execution";
import { displayName, isInteractive, isTrue, toOutgoing, type Notebook } from "./notebook";
import type { ExecuteRequest } from "./wire";

export interface RunHost {
  notebook(): Notebook | undefined;
  view(id: string): CellView | undefined;
  status(text: string, kind?: "" | "busy" | "error"): void;
  /** The session changed (first run, or reset). */
  session(id: string | undefined): void;
  /** Something started or ended. */
  changed(): void;
}

export class Runs {
  sessionId: string | undefined;
  private readonly running = new Map<string, Execution>();
  private batch = 0;

  constructor(private readonly host: RunHost) {}

  get busy(): boolean {
    return this.running.size > 0 || this.batch !== 0;
  }

  isRunning(cellId: string): boolean {
    return this.running.has(cellId);
  }

  /** Run one cell; resolves when it ends (a background cell: once it started). */
  async run(cellId: string): Promise<Outcome | undefined> {
    const notebook = this.host.notebook();
    const cell = notebook?.cell(cellId);
    const view = this.host.view(cellId);
    if (!notebook || !cell || cell.kind !== "code" || !view?.output || this.running.has(cellId)) {
      return undefined;
    }
    const output = view.output;
    const interactive = isInteractive(cell);
    const background = isTrue(cell.metadata.background);
    view.setRunState("running");
    view.setStatus("running…", "running");
    const mimeType = cell.metadata.mimeType;
    const terminal = interactive ? await output.startTerminal(mimeType) : undefined;
    if (!interactive) output.startText(mimeType);
    const index = notebook.index(cellId);
    const request: ExecuteRequest = {
      type: "execute",
      path: notebook.path,
      cellId,
      index,
      cell: toOutgoing(cell),
      cells: notebook.cells.slice(0, index).map(toOutgoing),
      interactive,
      storeLastOutput: true,
      background,
    };
    if (this.sessionId) request.sessionId = this.sessionId;
    if (terminal) {
      request.rows = terminal.rows;
      request.cols = terminal.cols;
    }
    let started!: () => void;
    const hasStarted = new Promise<void>((r) => (started = r));
    const execution = new Execution(request, {
      started: (_executionId, sessionId) => {
        started();
        if (sessionId && sessionId !== this.sessionId) {
          this.sessionId = sessionId;
          this.host.session(sessionId);
        }
        this.host.changed();
      },
      output: (stream, data, mimeType, binary) => output.write(stream, data, mimeType, binary),
      complaint: (error, message) => output.note(`${error}: ${message}`, "warning"),
    });
    this.running.set(cellId, execution);
    this.host.changed();
    terminal?.attach({
      input: (data) => execution.input(data),
      resize: (rows, cols) => execution.resize(rows, cols),
    });
    const ended = execution.done.then((outcome) => {
      this.running.delete(cellId);
      this.report(cellId, outcome);
      this.host.changed();
      return outcome;
    });
    if (background) {
      await Promise.race([hasStarted, ended]);
      return execution.running
        ? { kind: "exited", exitCode: 0, durationMs: 0, warnings: [] }
        : await ended;
    }
    return ended;
  }

  private report(cellId: string, outcome: Outcome): void {
    const view = this.host.view(cellId);
    const cell = this.host.notebook()?.cell(cellId);
    if (!view || !cell) return;
    view.setRunState("idle");
    const output = view.output!;
    if (outcome.kind === "exited") {
      const ok = outcome.exitCode === 0;
      view.setStatus(
        `${ok ? "✓" : "✗"} exit ${outcome.exitCode} · ${formatDuration(outcome.durationMs)}`,
        ok ? "ok" : "fail",
      );
      for (const warning of outcome.warnings) output.note(warning, "warning");
      output.finish();
    } else if (outcome.kind === "refused") {
      view.setStatus(`✗ ${outcome.error}`, "fail");
      output.note(outcome.message || outcome.error);
      output.finish();
    } else {
      view.setStatus("✗ stopped: connection closed", "fail");
      output.note(outcome.reason);
      output.finish();
    }
  }

  /** Interrupt; if it is already being interrupted, kill. */
  stop(cellId: string): void {
    const execution = this.running.get(cellId);
    const view = this.host.view(cellId);
    if (!execution) return;
    if (view?.runState === "stopping") {
      execution.stop("kill");
    } else {
      execution.stop("interrupt");
      view?.setRunState("stopping");
    }
  }

  /** Every code cell from the top (or from `fromId`), except those excluded from run all. */
  async runAll(fromId?: string): Promise<void> {
    const notebook = this.host.notebook();
    if (!notebook || this.batch) return;
    const batch = Date.now();
    this.batch = batch;
    this.host.changed();
    const start = fromId ? Math.max(0, notebook.index(fromId)) : 0;
    const ids = notebook.cells
      .slice(start)
      .filter((c) => c.kind === "code" && !isTrue(c.metadata.excludeFromRunAll))
      .map((c) => c.id);
    let done = 0;
    try {
      for (const id of ids) {
        if (this.batch !== batch) {
          this.host.status("Run all stopped");
          return;
        }
        const cell = notebook.cell(id);
        if (!cell) continue;
        this.host.status(`Running ${done + 1} of ${ids.length}: ${displayName(cell)}`, "busy");
        this.host.view(id)?.focus();
        const outcome = await this.run(id);
        done += 1;
        if (this.batch !== batch) {
          this.host.status("Run all stopped");
          return;
        }
        if (!outcome || outcome.kind !== "exited" || outcome.exitCode !== 0) {
          const why = outcome?.kind === "exited" ? `exit ${outcome.exitCode}` : "not run";
          this.host.status(`Run all stopped at ${displayName(cell) || "a cell"} (${why})`, "error");
          return;
        }
      }
      this.host.status(`Ran ${done} cell${done === 1 ? "" : "s"}`);
    } finally {
      if (this.batch === batch) this.batch = 0;
      this.host.changed();
    }
  }

  /** Stop run all and interrupt everything running in the page. */
  stopAll(): void {
    this.batch = 0;
    for (const id of this.running.keys()) this.stop(id);
    this.host.changed();
  }

  /** A new notebook or a new session: stop listening, forget the old session. */
  forget(): void {
    this.batch = 0;
    for (const execution of this.running.values()) execution.close();
    this.running.clear();
  }
}
