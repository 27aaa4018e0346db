/**
 * Output of a cell that runs without a terminal: text with its ANSI colours, appended as it
 * streams. Past a limit it stops drawing and offers to show everything.
 */

import { AnsiUp } from "ansi_up";

const MAX_LINES = 2000;
const MAX_CHARS = 256 * 1024;
/** What "Show all" can show: past this the page keeps counting but not the text. */
const MAX_KEPT = 32 * 1024 * 1024;

export class AnsiText {
  readonly element: HTMLElement;
  private readonly pre: HTMLPreElement;
  private readonly notice: HTMLElement;
  private readonly ansi = makeAnsi();
  private raw = "";
  private size = 0;
  private lines = 0;
  private drawnChars = 0;
  private truncated = false;
  private pending: Array<[string, "stdout" | "stderr"]> = [];
  private frame = 0;

  constructor() {
    this.element = document.createElement("div");
    this.element.className = "output-text";
    this.pre = document.createElement("pre");
    this.pre.className = "ansi";
    this.pre.tabIndex = 0;
    this.pre.setAttribute("aria-label", "Output");
    this.notice = document.createElement("div");
    this.notice.className = "output-truncated";
    this.notice.hidden = true;
    this.element.append(this.pre, this.notice);
  }

  get text(): string {
    return this.raw;
  }

  write(data: string, stream: "stdout" | "stderr"): void {
    this.size += data.length;
    if (this.raw.length < MAX_KEPT) this.raw += data;
    this.pending.push([data, stream]);
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  /** Draw what is pending now (at the end of an execution). */
  flush(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    const chunks = this.pending;
    this.pending = [];
    for (const [data, stream] of chunks) this.draw(data, stream);
    this.updateNotice();
  }

  private draw(data: string, stream: "stdout" | "stderr"): void {
    const newLines = countLines(data);
    this.lines += newLines;
    if (this.truncated) return;
    let text = data;
    if (this.drawnChars + text.length > MAX_CHARS || this.lines > MAX_LINES) {
      text = cut(text, MAX_CHARS - this.drawnChars, MAX_LINES - (this.lines - newLines));
      this.truncated = true;
    }
    this.drawnChars += text.length;
    const html = this.ansi.ansi_to_html(text);
    if (stream === "stderr") {
      const span = document.createElement("span");
      span.className = "stderr";
      span.innerHTML = html;
      this.pre.append(span);
    } else {
      this.pre.insertAdjacentHTML("beforeend", html);
    }
  }

  private updateNotice(): void {
    if (!this.truncated) return;
    const total = this.lines + (this.raw.endsWith("\n") ? 0 : 1);
    this.notice.hidden = false;
    this.notice.replaceChildren(
      `Output truncated: ${total.toLocaleString()} lines, ${formatBytes(this.size)}` +
        (this.size > this.raw.length
          ? ` (the first ${formatBytes(this.raw.length)} kept). `
          : ". "),
    );
    const all = document.createElement("button");
    all.type = "button";
    all.className = "link";
    all.textContent = "Show all";
    all.addEventListener("click", () => this.showAll());
    this.notice.append(all);
  }

  /** Everything, however long. */
  showAll(): void {
    this.flush();
    this.pre.innerHTML = makeAnsi().ansi_to_html(this.raw);
    this.truncated = false;
    this.notice.hidden = true;
  }
}

function makeAnsi(): AnsiUp {
  const ansi = new AnsiUp();
  ansi.use_classes = true;
  return ansi;
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

function cut(text: string, chars: number, lines: number): string {
  let end = Math.max(0, Math.min(text.length, chars));
  let seen = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < end; i = text.indexOf("\n", i + 1)) {
    if (++seen >= lines) {
      end = i + 1;
      break;
    }
  }
  return text.slice(0, end);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
