/**
 * A cell's CodeMirror 6 editor: a lean setup (no line numbers, history, brackets, highlighting by
 * class so light and dark themes share one stylesheet) and the notebook's keys on top.
 */

import {
  defaultKeymap,
  history,
  historyKeymap,
  indentLess,
  indentMore,
} from "@codemirror/commands";
import { bracketMatching, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { Compartment, EditorState, Prec, type Extension } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightSpecialChars,
  keymap,
  placeholder as placeholderText,
} from "@codemirror/view";
import { classHighlighter } from "@lezer/highlight";
import { loadLanguage } from "./languages";

/** What the notebook does for keys typed inside an editor; `true` when it handled the key. */
export interface EditorKeys {
  /** Shift+Enter. */
  runAndAdvance(): boolean;
  /** Ctrl/Cmd+Enter. */
  runInPlace(): boolean;
  /** Escape. */
  escape(): boolean;
  /** Tab, before indenting. */
  tab(): boolean;
  /** Ctrl/Cmd+S. */
  save(): boolean;
  /** Arrow up on the first line / down on the last. */
  leave(direction: -1 | 1): boolean;
}

export interface EditorOptions {
  parent: HTMLElement;
  value: string;
  languageId?: string;
  readOnly?: boolean;
  wrap?: boolean;
  placeholder?: string;
  label: string;
  keys?: EditorKeys;
  /** A user's edit (not a programmatic one) changed the text. */
  onEdit?: (value: string) => void;
  onFocus?: () => void;
}

export class CellEditor {
  readonly view: EditorView;
  private readonly language = new Compartment();
  private languageId = "";

  constructor(options: EditorOptions) {
    const extensions: Extension[] = [
      history(),
      drawSelection(),
      highlightSpecialChars(),
      indentOnInput(),
      bracketMatching(),
      syntaxHighlighting(classHighlighter),
      this.language.of([]),
      EditorView.contentAttributes.of({ "aria-label": options.label }),
      keymap.of([...defaultKeymap, ...historyKeymap]),
    ];
    if (options.keys) extensions.unshift(Prec.highest(keymap.of(notebookKeys(options.keys))));
    if (options.wrap) extensions.push(EditorView.lineWrapping);
    if (options.placeholder) extensions.push(placeholderText(options.placeholder));
    if (options.readOnly) {
      extensions.push(EditorState.readOnly.of(true), EditorView.editable.of(false));
    } else {
      extensions.push(highlightActiveLine());
    }
    const onEdit = options.onEdit;
    if (onEdit) {
      extensions.push(
        EditorView.updateListener.of((update) => {
          if (!update.docChanged) return;
          const byUser = update.transactions.some(
            (t) =>
              t.isUserEvent("input") ||
              t.isUserEvent("delete") ||
              t.isUserEvent("undo") ||
              t.isUserEvent("redo") ||
              t.isUserEvent("move"),
          );
          if (byUser) onEdit(update.state.doc.toString());
        }),
      );
    }
    if (options.onFocus) {
      const onFocus = options.onFocus;
      extensions.push(
        EditorView.domEventHandlers({
          focus: () => {
            onFocus();
            return false;
          },
        }),
      );
    }
    this.view = new EditorView({
      parent: options.parent,
      state: EditorState.create({ doc: options.value, extensions }),
    });
    if (options.languageId) this.setLanguage(options.languageId);
  }

  get value(): string {
    return this.view.state.doc.toString();
  }

  /** Replace the text (not an edit by the user: no suggestion, no undo step of theirs). */
  setValue(value: string): void {
    if (value === this.value) return;
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: value } });
  }

  setLanguage(languageId: string): void {
    this.languageId = languageId;
    const pending = loadLanguage(languageId);
    if (!pending) {
      this.view.dispatch({ effects: this.language.reconfigure([]) });
      return;
    }
    void pending.then((extension) => {
      if (this.languageId === languageId) {
        this.view.dispatch({ effects: this.language.reconfigure(extension) });
      }
    });
  }

  focus(atEnd = false): void {
    this.view.focus();
    if (atEnd) this.view.dispatch({ selection: { anchor: this.view.state.doc.length } });
  }

  destroy(): void {
    this.view.destroy();
  }
}

function notebookKeys(keys: EditorKeys) {
  return [
    { key: "Shift-Enter", run: () => keys.runAndAdvance() },
    { key: "Mod-Enter", run: () => keys.runInPlace() },
    { key: "Escape", run: () => keys.escape() },
    { key: "Tab", run: (view: EditorView) => keys.tab() || indentMore(view) },
    { key: "Shift-Tab", run: indentLess },
    { key: "Mod-s", run: () => keys.save(), preventDefault: true },
    {
      key: "ArrowUp",
      run: (view: EditorView) => {
        const { head, empty } = view.state.selection.main;
        return empty && view.state.doc.lineAt(head).number === 1 && keys.leave(-1);
      },
    },
    {
      key: "ArrowDown",
      run: (view: EditorView) => {
        const { head, empty } = view.state.selection.main;
        const doc = view.state.doc;
        return empty && doc.lineAt(head).number === doc.lines && keys.leave(1);
      },
    },
  ];
}
