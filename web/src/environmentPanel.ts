/**
 * The session's environment as the server holds it (secrets arrive masked), what runs in the
 * background, and a way to start over with a fresh session.
 */

import { ApiError, deleteSession, getSession, listExecutions, stopExecution } from "./api";
import { h } from "./dom";
import type { RunningExecution, Session } from "./wire";

export interface EnvironmentHost {
  sessionId(): string | undefined;
  /** The session was deleted. */
  reset(): void;
}

export class EnvironmentPanel {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private loading = 0;
  private readonly filter: HTMLInputElement;

  constructor(private readonly host: EnvironmentHost) {
    this.body = h("div.env-body");
    const reset = h("button.danger", { type: "button" }, "Reset session");
    reset.addEventListener("click", () => void this.reset());
    const refresh = h("button", { type: "button" }, "Refresh");
    refresh.addEventListener("click", () => void this.refresh());
    this.filter = h("input.filter", {
      type: "search",
      placeholder: "Filter variables",
      "aria-label": "Filter variables",
    });
    this.filter.addEventListener("input", () => this.applyFilter());
    this.element = h(
      "div.environment",
      {},
      h("div.panel-actions", {}, refresh, reset),
      this.filter,
      this.body,
    );
  }

  async refresh(): Promise<void> {
    const ticket = ++this.loading;
    const id = this.host.sessionId();
    let session: Session | undefined;
    let executions: RunningExecution[] = [];
    let problem = "";
    try {
      [session, executions] = await Promise.all([
        id ? getSession(id) : Promise.resolve(undefined),
        listExecutions().catch(() => []),
      ]);
    } catch (error) {
      problem = error instanceof ApiError ? error.message : String(error);
    }
    if (ticket !== this.loading) return;
    const parts: HTMLElement[] = [];
    if (problem) parts.push(h("p.error", { role: "alert" }, problem));
    if (!id) parts.push(h("p.muted", {}, "No session yet: the first cell you run starts one."));
    if (session) {
      parts.push(h("p.session-id", {}, "Session ", h("code", {}, session.id)));
      const names = Object.keys(session.env).sort();
      const table = h(
        "table.env",
        { "aria-label": "Environment variables" },
        h(
          "thead",
          {},
          h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Value")),
        ),
        h(
          "tbody",
          {},
          ...names.map((name) => {
            const value = session!.env[name] ?? "";
            const masked = /^\*+$/.test(value);
            return h(
              "tr",
              {},
              h("th", { scope: "row", title: name }, name),
              h(
                `td${masked ? ".masked" : ""}`,
                { title: masked ? "secret (masked)" : value },
                value,
              ),
            );
          }),
        ),
      );
      parts.push(h("div.env-scroll", { tabindex: 0 }, table));
    }
    if (executions.length) {
      parts.push(h("h3", {}, "Running"));
      parts.push(
        h(
          "ul.executions",
          {},
          ...executions.map((e) => {
            const stop = h("button", { type: "button" }, "Stop");
            stop.addEventListener(
              "click",
              () => void stopExecution(e.id, "interrupt").then(() => this.refresh()),
            );
            return h(
              "li",
              {},
              h(
                "span",
                {},
                `${e.name || e.id}${e.background ? " (background)" : ""} · pid ${e.pid}`,
              ),
              stop,
            );
          }),
        ),
      );
    }
    this.body.replaceChildren(...parts);
    this.applyFilter();
  }

  private applyFilter(): void {
    const needle = this.filter.value.trim().toLowerCase();
    for (const row of this.body.querySelectorAll<HTMLTableRowElement>("table.env tbody tr")) {
      row.hidden = Boolean(needle) && !row.textContent!.toLowerCase().includes(needle);
    }
  }

  private async reset(): Promise<void> {
    const id = this.host.sessionId();
    if (id) {
      try {
        await deleteSession(id);
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
      }
    }
    this.host.reset();
    await this.refresh();
  }
}
