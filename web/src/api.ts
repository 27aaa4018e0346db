/** The JSON endpoints of docs/api.md, one function each. The auth cookie rides along by itself. */

import type {
  FileEntry,
  Generated,
  NotebookDocument,
  OutgoingCell,
  RunningExecution,
  SaveRequest,
  Session,
  StopKind,
  SuggestionEvent,
} from "./wire";

/** A non-2xx answer: `code` is the body's `error` (`conflict`, `not_found`...). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

async function call<T>(
  method: string,
  url: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  const init: RequestInit = { method, credentials: "same-origin", signal: signal ?? null };
  if (body !== undefined) {
    init.headers = { "content-type": "application/json" };
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!response.ok) {
    const err = (data ?? {}) as { error?: string; message?: string };
    const code = err.error ?? `http_${response.status}`;
    throw new ApiError(response.status, code, err.message ?? err.error ?? response.statusText);
  }
  return data as T;
}

const q = encodeURIComponent;

export function listFiles(): Promise<FileEntry[]> {
  return call<{ files: FileEntry[] }>("GET", "/api/files").then((r) => r.files);
}

export function openNotebook(path: string): Promise<NotebookDocument> {
  return call("GET", `/api/notebook?path=${q(path)}`);
}

export function saveNotebook(path: string, request: SaveRequest): Promise<NotebookDocument> {
  return call("PUT", `/api/notebook?path=${q(path)}`, request);
}

export function renameFile(from: string, to: string): Promise<{ path: string }> {
  return call("POST", "/api/files/rename", { from, to });
}

export function listSessions(): Promise<Session[]> {
  return call<{ sessions: Session[] }>("GET", "/api/sessions").then((r) => r.sessions);
}

export function getSession(id: string): Promise<Session> {
  return call("GET", `/api/sessions/${q(id)}`);
}

export function deleteSession(id: string): Promise<void> {
  return call("DELETE", `/api/sessions/${q(id)}`);
}

export function listExecutions(): Promise<RunningExecution[]> {
  return call<{ executions: RunningExecution[] }>("GET", "/api/executions").then(
    (r) => r.executions,
  );
}

export function stopExecution(id: string, kind: StopKind): Promise<unknown> {
  return call("POST", `/api/executions/${q(id)}/stop`, { kind });
}

export function generate(
  cells: OutgoingCell[],
  selected: number,
  path: string,
  signal?: AbortSignal,
): Promise<Generated> {
  return call("POST", "/api/generate", { cells, selected, path }, signal);
}

export function logEvents(events: SuggestionEvent[]): Promise<unknown> {
  return call("POST", "/api/events", { events });
}
