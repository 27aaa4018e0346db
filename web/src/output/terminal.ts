/**
 * A terminal for an interactive cell (xterm.js and its fit addon, loaded on first use). It grows
 * with its output up to a height, follows the panel's width, and says when its size changes so
 * the process can hear about it.
 */

import type { FitAddon } from "@xterm/addon-fit";
import type { Terminal } from "@xterm/xterm";

/** The process always sees this many rows; the panel shows only those in use until it fills. */
const ROWS = 24;
const MIN_VISIBLE = 2;

export interface TerminalEvents {
  input(data: string): void;
  resize(rows: number, cols: number): void;
}

let modules:
  Promise<[typeof import("@xterm/xterm"), typeof import("@xterm/addon-fit")]> | undefined;

function load() {
  modules ??= Promise.all([
    import("@xterm/xterm"),
    import("@xterm/addon-fit"),
    import("@xterm/xterm/css/xterm.css"),
  ]).then(([xterm, fit]) => [xterm, fit] as [typeof xterm, typeof fit]);
  return modules;
}

/** Start loading xterm before the first interactive run needs it. */
export function preloadTerminal(): void {
  void load();
}

export class TerminalView {
  readonly element: HTMLElement;
  private term!: Terminal;
  private fitter!: FitAddon;
  private observer?: ResizeObserver;
  private visible = 0;
  private events?: TerminalEvents;

  private constructor(element: HTMLElement) {
    this.element = element;
  }

  static async create(host: HTMLElement): Promise<TerminalView> {
    const [{ Terminal }, { FitAddon }] = await load();
    const element = document.createElement("div");
    element.className = "output-terminal";
    host.append(element);
    const view = new TerminalView(element);
    const styles = getComputedStyle(document.documentElement);
    view.term = new Terminal({
      rows: ROWS,
      cols: 80,
      convertEol: false,
      cursorBlink: true,
      fontFamily: styles.getPropertyValue("--mono").trim() || "monospace",
      fontSize: 13,
      scrollback: 5000,
      allowProposedApi: false,
      theme: {
        background: styles.getPropertyValue("--term-bg").trim() || "#1e1e1e",
        foreground: styles.getPropertyValue("--term-fg").trim() || "#e0e0e0",
        cursor: styles.getPropertyValue("--term-fg").trim() || "#e0e0e0",
      },
    });
    view.fitter = new FitAddon();
    view.term.loadAddon(view.fitter);
    view.term.open(element);
    view.term.textarea?.setAttribute("aria-label", "Terminal input");
    view.term.onData((data) => view.events?.input(data));
    // once the process is gone, Escape and Tab leave the terminal as they leave any other field
    view.term.attachCustomKeyEventHandler((event) => {
      if (view.events || (event.key !== "Escape" && event.key !== "Tab")) return true;
      if (event.type === "keydown" && event.key === "Escape") {
        element.closest<HTMLElement>("section.cell")?.focus();
      }
      return false;
    });
    view.term.onResize(({ rows, cols }) => view.events?.resize(rows, cols));
    view.show(MIN_VISIBLE);
    view.fit();
    view.observer = new ResizeObserver(() => view.fit());
    view.observer.observe(element);
    return view;
  }

  get rows(): number {
    return this.term.rows;
  }

  get cols(): number {
    return this.term.cols;
  }

  attach(events: TerminalEvents): void {
    this.events = events;
  }

  /** The process ended: no more input, no cursor, and no empty line kept below the output. */
  detach(): void {
    this.events = undefined;
    this.term.options.cursorBlink = false;
    this.term.options.disableStdin = true;
    this.term.write("\x1b[?25l", () => {
      const buffer = this.term.buffer.active;
      if (buffer.baseY > 0) return;
      const line = buffer.getLine(buffer.cursorY)?.translateToString(true) ?? "";
      const used = line.trim() ? buffer.cursorY + 1 : buffer.cursorY;
      this.visible = 0;
      this.show(Math.min(ROWS, used));
    });
  }

  write(data: string): void {
    this.term.write(data, () => this.grow());
  }

  focus(): void {
    this.term.focus();
  }

  fit(): void {
    if (!this.element.isConnected || this.element.clientWidth === 0) return;
    const dims = this.fitter.proposeDimensions();
    if (dims && Number.isFinite(dims.cols) && dims.cols > 1 && dims.cols !== this.term.cols) {
      this.term.resize(dims.cols, this.term.rows);
    }
  }

  /** Show the lines in use, so a short output gets a short terminal. */
  private grow(): void {
    const buffer = this.term.buffer.active;
    const used = buffer.baseY > 0 ? ROWS : buffer.cursorY + 1;
    if (used > this.visible) this.show(Math.min(ROWS, used));
  }

  private show(rows: number): void {
    this.visible = Math.max(MIN_VISIBLE, rows);
    const screen = this.element.querySelector<HTMLElement>(".xterm-screen");
    const cell = screen && screen.clientHeight > 0 ? screen.clientHeight / this.term.rows : 17;
    this.element.style.height = `${Math.ceil(this.visible * cell) + 8}px`;
  }

  dispose(): void {
    this.observer?.disconnect();
    this.term.dispose();
    this.element.remove();
  }
}
