/** Modal questions: a choice among buttons, or a line of text. Esc answers with the last choice. */

import { h } from "./dom";

export interface Choice<T extends string> {
  value: T;
  label: string;
  primary?: boolean;
}

export function choose<T extends string>(
  title: string,
  message: string,
  choices: Choice<T>[],
  cancel: T,
): Promise<T> {
  return new Promise((resolve) => {
    const dialog = h("dialog.modal", { "aria-labelledby": "dialog-title" });
    const buttons = choices.map((choice) =>
      h(
        `button${choice.primary ? ".primary" : ""}`,
        { type: "button", "data-choice": choice.value, onclick: () => finish(choice.value) },
        choice.label,
      ),
    );
    dialog.append(
      h("h2", { id: "dialog-title" }, title),
      h("p", {}, message),
      h("div.dialog-buttons", {}, ...buttons),
    );
    const finish = (value: T) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      finish(cancel);
    });
    document.body.append(dialog);
    dialog.showModal();
    (buttons.find((b) => b.classList.contains("primary")) ?? buttons[0])?.focus();
  });
}

/** A line of text, or null when cancelled. `check` returns an error to show, or "". */
export function ask(
  title: string,
  label: string,
  initial: string,
  check: (value: string) => string = () => "",
): Promise<string | null> {
  return new Promise((resolve) => {
    const input = h("input", {
      type: "text",
      value: initial,
      spellcheck: "false",
      id: "dialog-input",
    });
    const error = h("p.dialog-error", { role: "alert" });
    const form = h(
      "form",
      { method: "dialog" },
      h("h2", { id: "dialog-title" }, title),
      h("label", { for: "dialog-input" }, label),
      input,
      error,
      h(
        "div.dialog-buttons",
        {},
        h("button", { type: "button", value: "cancel", onclick: () => finish(null) }, "Cancel"),
        h("button.primary", { type: "submit" }, "OK"),
      ),
    );
    const dialog = h("dialog.modal", { "aria-labelledby": "dialog-title" }, form);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = input.value.trim();
      const problem = check(value);
      if (problem) {
        error.textContent = problem;
        input.focus();
        return;
      }
      finish(value);
    });
    const finish = (value: string | null) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      finish(null);
    });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
    input.select();
  });
}
