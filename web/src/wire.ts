/**
 * Wire format v1, as docs/api.md writes it down: the only shapes the browser exchanges with
 * `waypost serve`. Nothing here has behaviour.
 */

export type CellKind = "code" | "markup";

/** Cell attributes as strings, plus Runme's `runme.dev/*` keys on the way in. */
export type Metadata = Record<string, string>;

export interface WireCell {
  kind: CellKind;
  id: string;
  value: string;
  languageId?: string;
  name?: string;
  nameGenerated?: boolean;
  description?: string;
  metadata: Metadata;
  span?: { start: number; end: number };
  textRange?: { start: number; end: number };
}

export interface Frontmatter {
  format: string;
  raw: string;
  data: unknown;
  error?: string;
}

export interface NotebookDocument {
  path: string;
  /** sha256 of the bytes read; "" for a file that does not exist yet. */
  hash: string;
  notebook: { cells: WireCell[]; frontmatter?: Frontmatter; id?: string };
}

/** A cell as `PUT /api/notebook` takes it. */
export interface OutgoingCell {
  kind: CellKind;
  id: string;
  value: string;
  languageId?: string;
  metadata: Metadata;
}

export interface SaveRequest {
  hash: string;
  cells: OutgoingCell[];
  frontmatter?: string;
  force?: boolean;
}

export interface FileCell {
  name: string;
  id: string;
  index: number;
  named: boolean;
}

export interface FileEntry {
  path: string;
  cells: FileCell[];
}

export interface Session {
  id: string;
  /** Secrets arrive as "****". */
  env: Record<string, string>;
  metadata: Metadata;
}

export interface RunningExecution {
  id: string;
  sessionId: string;
  pid: number;
  name: string;
  background: boolean;
}

export interface Generated {
  traceId: string;
  provider: string;
  model: string;
  latencyMs: number;
  confidence: number | null;
  /** Proposed cells: fresh ids and `metadata._ghostCell = "true"`. */
  cells: WireCell[];
}

export type SuggestionEventType = "accepted" | "rejected";

export interface SuggestionEvent {
  type: SuggestionEventType;
  cellId: string;
  traceId?: string;
}

export type StopKind = "interrupt" | "kill";

export interface ExecuteRequest {
  type: "execute";
  path: string;
  cellId: string;
  index: number;
  cell: OutgoingCell;
  cells: OutgoingCell[];
  sessionId?: string;
  interactive: boolean;
  rows?: number;
  cols?: number;
  storeLastOutput?: boolean;
  background?: boolean;
}

export type ClientMessage =
  | ExecuteRequest
  | { type: "input"; data: string }
  | { type: "eof" }
  | { type: "resize"; rows: number; cols: number }
  | { type: "stop"; kind: StopKind };

export type ServerMessage =
  | { type: "started"; executionId: string; sessionId: string; pid: number }
  | { type: "stdout" | "stderr"; data: string; mimeType?: string; encoding?: "base64" }
  | { type: "exited"; exitCode: number; durationMs: number; warnings?: string[] }
  | { type: "error"; error: string; message: string };

export interface ErrorBody {
  error: string;
  message?: string;
}
