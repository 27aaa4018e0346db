/**
 * A code cell's output: a terminal (interactive cells) or ANSI text, filled as the execution
 * streams; when it ends, output of a rich MIME type is shown by its native renderer, with the
 * raw output a click away.
 */

import { h } from "../dom";
import { AnsiText } from "./ansiText";
import { essence, isRich, renderRich } from "./rich";
import { TerminalView } from "./terminal";

const MAX_KEPT = 16 * 1024 * 1024;

export class OutputView {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly bar: HTMLElement;
  private text?: AnsiText;
  private terminal?: TerminalView;
  private sniffed?: string;
  /** The cell's own `mimeType`, which wins over the sniffed one. */
  private declared?: string;
  private stdout = "";
  /** Binary stdout, a byte per character; `undefined` while the output is text. */
  private bytes?: string;

  constructor() {
    this.element = document.createElement("div");
    this.element.className = "cell-output";
    this.element.hidden = true;
    this.bar = document.createElement("div");
    this.bar.className = "output-bar";
    this.bar.hidden = true;
    this.body = document.createElement("div");
    this.body.className = "output-body";
    this.element.append(this.bar, this.body);
  }

  get terminalView(): TerminalView | undefined {
    return this.terminal;
  }

  clear(): void {
    this.terminal?.dispose();
    this.terminal = undefined;
    this.text = undefined;
    this.sniffed = undefined;
    this.stdout = "";
    this.bytes = undefined;
    this.body.replaceChildren();
    this.bar.replaceChildren();
    this.bar.hidden = true;
    this.element.hidden = true;
    this.element.classList.remove("has-rich");
  }

  async startTerminal(mimeType?: string): Promise<TerminalView> {
    this.clear();
    this.declared = mimeType;
    this.element.hidden = false;
    this.terminal = await TerminalView.create(this.body);
    return this.terminal;
  }

  startText(mimeType?: string): void {
    this.clear();
    this.declared = mimeType;
    this.text = new AnsiText();
    this.body.append(this.text.element);
  }

  write(stream: "stdout" | "stderr", data: string, mimeType?: string, binary = false): void {
    if (!data) return;
    if (binary && stream === "stdout") {
      // bytes make no sense in a terminal: kept for the renderer, summed up when it ends
      if (mimeType && this.sniffed === undefined) this.sniffed = mimeType;
      if ((this.bytes ?? "").length < MAX_KEPT) this.bytes = (this.bytes ?? "") + data;
      this.element.hidden = false;
      return;
    }
    if (stream === "stdout") {
      if (mimeType && this.sniffed === undefined) this.sniffed = mimeType;
      // kept only when a renderer may want it
      if (isRich(this.declared || this.sniffed) && this.stdout.length < MAX_KEPT) {
        this.stdout += data;
      }
    }
    this.element.hidden = false;
    if (this.terminal) this.terminal.write(data);
    else this.text?.write(data, stream);
  }

  /** A line from Waypost itself (a refusal, a warning), not from the process. */
  note(message: string, kind: "error" | "warning" | "info" = "error"): void {
    this.element.hidden = false;
    const line = document.createElement("div");
    line.className = `output-note ${kind}`;
    line.setAttribute("role", kind === "error" ? "alert" : "status");
    line.textContent = message;
    this.body.append(line);
  }

  /** The execution ended: flush, stop listening, and show rich output if there is any. */
  finish(): void {
    this.text?.flush();
    this.terminal?.detach();
    const mime = this.declared || this.sniffed;
    if (this.bytes !== undefined) {
      this.note(`binary output: ${essence(this.sniffed)}, ${this.bytes.length} bytes`, "info");
    }
    const content = this.bytes !== undefined ? btoa(this.bytes) : this.stdout;
    if (!mime || !isRich(mime) || !content.trim()) return;
    const view = renderRich(mime, this.terminal ? stripTerminal(content) : content);
    if (!view) return;
    const rich = document.createElement("div");
    rich.className = "output-rich";
    rich.append(view);
    const raw = document.createElement("div");
    raw.className = "output-raw";
    raw.hidden = true;
    raw.append(...this.body.childNodes);
    this.body.append(rich, raw);
    this.element.classList.add("has-rich");
    const toggle = h(
      "button.link",
      { type: "button", "aria-expanded": "false" },
      "Show raw output",
    );
    toggle.addEventListener("click", () => {
      raw.hidden = !raw.hidden;
      toggle.textContent = raw.hidden ? "Show raw output" : "Hide raw output";
      toggle.setAttribute("aria-expanded", String(!raw.hidden));
      if (!raw.hidden) this.terminal?.fit();
    });
    const label = h("span.output-mime", {}, mime.split(";")[0]!);
    this.bar.replaceChildren(label, toggle);
    this.bar.hidden = false;
  }
}

/** A terminal's transcript as plain text: no colours, no carriage returns. */
function stripTerminal(text: string): string {
  return text
    .replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, "")
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "")
    .replace(/\r\n/g, "\n")
    .replace(/\r/g, "");
}
