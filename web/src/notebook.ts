/**
 * The open runbook as the browser edits it: ordered cells, the hash it was opened with, and
 * whether anything changed since. Views listen for "change"; nothing here touches the DOM.
 */

import { ulid } from "./ulid";
import type {
  CellKind,
  Frontmatter,
  Metadata,
  NotebookDocument,
  OutgoingCell,
  WireCell,
} from "./wire";

export interface Cell {
  id: string;
  kind: CellKind;
  value: string;
  languageId: string;
  /** The user's attributes (name, interactive, cwd...); never Runme's `runme.dev/*` keys. */
  metadata: Metadata;
  /** The name the server derived when the cell has none of its own. */
  generatedName: string;
}

/** The attributes the attribute panel edits, with Runme's meaning. */
export const ATTRIBUTES = [
  "name",
  "interactive",
  "background",
  "cwd",
  "excludeFromRunAll",
  "interpreter",
  "mimeType",
] as const;

export type ChangeKind = "structure" | "content" | "saved" | "loaded";

export class Notebook extends EventTarget {
  path: string;
  hash: string;
  frontmatter: Frontmatter | undefined;
  cells: Cell[];
  /** Bumped on every edit; a save remembers the version it wrote. */
  version = 0;
  savedVersion = 0;

  constructor(doc: NotebookDocument) {
    super();
    this.path = doc.path;
    this.hash = doc.hash;
    this.frontmatter = doc.notebook.frontmatter;
    this.cells = doc.notebook.cells.map(fromWire);
  }

  get dirty(): boolean {
    return this.version !== this.savedVersion;
  }

  get isNew(): boolean {
    return this.hash === "";
  }

  index(id: string): number {
    return this.cells.findIndex((c) => c.id === id);
  }

  cell(id: string): Cell | undefined {
    return this.cells.find((c) => c.id === id);
  }

  insert(index: number, cell: Cell): void {
    this.cells.splice(Math.max(0, Math.min(index, this.cells.length)), 0, cell);
    this.touch("structure");
  }

  remove(id: string): { cell: Cell; index: number } | undefined {
    const index = this.index(id);
    if (index < 0) return undefined;
    const [cell] = this.cells.splice(index, 1);
    this.touch("structure");
    return { cell: cell!, index };
  }

  move(id: string, delta: number): boolean {
    const from = this.index(id);
    const to = from + delta;
    if (from < 0 || to < 0 || to >= this.cells.length) return false;
    const [cell] = this.cells.splice(from, 1);
    this.cells.splice(to, 0, cell!);
    this.touch("structure");
    return true;
  }

  setValue(id: string, value: string): void {
    const cell = this.cell(id);
    if (!cell || cell.value === value) return;
    cell.value = value;
    this.touch("content", id);
  }

  setLanguage(id: string, languageId: string): void {
    const cell = this.cell(id);
    if (!cell || cell.languageId === languageId) return;
    cell.languageId = languageId;
    this.touch("content", id);
  }

  setAttribute(id: string, key: string, value: string | undefined): void {
    const cell = this.cell(id);
    if (!cell || cell.metadata[key] === value) return;
    if (value === undefined || value === "") delete cell.metadata[key];
    else cell.metadata[key] = value;
    this.touch("content", id);
  }

  /** The cells as `PUT /api/notebook` takes them: every code cell carries its id in its fence. */
  outgoing(): OutgoingCell[] {
    return this.cells.map(toOutgoing);
  }

  /** After a save: the new hash; still dirty if the user typed while it was in flight. */
  saved(doc: NotebookDocument, version: number): void {
    this.hash = doc.hash;
    this.path = doc.path;
    this.frontmatter = doc.notebook.frontmatter;
    this.savedVersion = version;
    this.emit("saved");
  }

  private touch(kind: ChangeKind, id?: string): void {
    this.version += 1;
    this.emit(kind, id);
  }

  private emit(kind: ChangeKind, id?: string): void {
    this.dispatchEvent(new CustomEvent("change", { detail: { kind, id } }));
  }
}

export function displayName(cell: Cell): string {
  return cell.metadata.name || cell.generatedName || "";
}

export function isInteractive(cell: Cell): boolean {
  // Runme's default: a cell runs in a terminal unless it says otherwise
  return (cell.metadata.interactive ?? "true").toLowerCase() !== "false";
}

export function isTrue(value: string | undefined): boolean {
  return (value ?? "").toLowerCase() === "true";
}

export function fromWire(wire: WireCell): Cell {
  const metadata: Metadata = {};
  for (const [key, value] of Object.entries(wire.metadata ?? {})) {
    if (!key.startsWith("runme.dev/")) metadata[key] = value;
  }
  return {
    id: wire.id || ulid(),
    kind: wire.kind,
    value: wire.value,
    languageId: wire.languageId ?? "",
    metadata,
    generatedName: wire.nameGenerated ? (wire.name ?? "") : "",
  };
}

export function toOutgoing(cell: Cell): OutgoingCell {
  const metadata: Metadata = {};
  for (const [key, value] of Object.entries(cell.metadata)) {
    if (!key.startsWith("_")) metadata[key] = value;
  }
  if (cell.kind === "markup") return { kind: "markup", id: cell.id, value: cell.value, metadata };
  // persist the cell's identity in its fence, as Runme's "cell" lifecycle identity does
  if (!metadata.id) metadata.id = cell.id;
  return { kind: "code", id: cell.id, value: cell.value, languageId: cell.languageId, metadata };
}

export function newCell(kind: CellKind, languageId = "sh", value = ""): Cell {
  return {
    id: ulid(),
    kind,
    value,
    languageId: kind === "code" ? languageId : "",
    metadata: {},
    generatedName: "",
  };
}
