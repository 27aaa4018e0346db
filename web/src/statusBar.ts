/** The line at the bottom: what just happened (with an action such as Undo), and the AI's state. */

import { h } from "./dom";

export type Tone = "" | "busy" | "error";

export interface StatusAction {
  label: string;
  run(): void;
}

export class StatusBar {
  readonly element: HTMLElement;
  private readonly message = h("span.message", { role: "status", "aria-live": "polite" });
  private readonly aiState = h("span.ai-status", { role: "status", "aria-live": "polite" });

  constructor(automatic: boolean, onAutomatic: (on: boolean) => void) {
    const auto = h("input", { type: "checkbox", id: "ai-auto", checked: automatic });
    auto.addEventListener("change", () => onAutomatic(auto.checked));
    this.element = h(
      "footer.statusbar",
      {},
      this.message,
      h("span.spacer"),
      h("label.ai-auto", { for: "ai-auto" }, auto, " Suggest as I type"),
      this.aiState,
    );
  }

  say(text: string, tone: Tone = "", action?: StatusAction): void {
    this.message.className = `message ${tone}`;
    this.message.replaceChildren(text);
    if (action) {
      const button = h("button.link", { type: "button" }, action.label);
      button.addEventListener("click", () => {
        action.run();
        this.say("");
      });
      this.message.append(" ", button);
    }
  }

  /** Which provider answered and how fast, or what went wrong. */
  ai(text: string, tone: Tone = "", title = ""): void {
    this.aiState.textContent = text;
    this.aiState.className = `ai-status ${tone}`;
    this.aiState.title = title;
  }
}
