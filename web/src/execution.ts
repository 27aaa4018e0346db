/**
 * One execution over `GET /api/ws/execute`: the first message starts it, then output streams
 * in while input, resizes and stops go out, until `exited` (or `error`) and the socket closes.
 */

import type { ClientMessage, ExecuteRequest, ServerMessage, StopKind } from "./wire";

export type Outcome =
  | { kind: "exited"; exitCode: number; durationMs: number; warnings: string[] }
  | { kind: "refused"; error: string; message: string }
  | { kind: "lost"; code: number; reason: string };

export interface ExecutionHandlers {
  started?(executionId: string, sessionId: string, pid: number): void;
  /** `binary`: `data` is bytes, one per character (output sniffed as an image, archive, ...). */
  output(stream: "stdout" | "stderr", data: string, mimeType?: string, binary?: boolean): void;
  /** The server refused a control message (input, resize, stop) of a running execution. */
  complaint?(error: string, message: string): void;
}

export class Execution {
  readonly done: Promise<Outcome>;
  executionId = "";
  sessionId = "";
  private readonly socket: WebSocket;
  private readonly queue: string[] = [];
  private ended = false;

  constructor(request: ExecuteRequest, handlers: ExecutionHandlers) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.socket = new WebSocket(`${scheme}://${location.host}/api/ws/execute`);
    let resolve!: (outcome: Outcome) => void;
    this.done = new Promise((r) => (resolve = r));
    const finish = (outcome: Outcome) => {
      if (this.ended) return;
      this.ended = true;
      resolve(outcome);
    };
    this.socket.addEventListener("open", () => {
      this.socket.send(JSON.stringify(request));
      for (const message of this.queue.splice(0)) this.socket.send(message);
    });
    this.socket.addEventListener("message", (event) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        return;
      }
      switch (message.type) {
        case "started":
          this.executionId = message.executionId;
          this.sessionId = message.sessionId;
          handlers.started?.(message.executionId, message.sessionId, message.pid);
          break;
        case "stdout":
        case "stderr":
          if (message.encoding === "base64") {
            handlers.output(message.type, atob(message.data), message.mimeType, true);
          } else {
            handlers.output(message.type, message.data, message.mimeType);
          }
          break;
        case "exited":
          finish({
            kind: "exited",
            exitCode: message.exitCode,
            durationMs: message.durationMs,
            warnings: message.warnings ?? [],
          });
          break;
        case "error":
          if (this.executionId) handlers.complaint?.(message.error, message.message);
          else finish({ kind: "refused", error: message.error, message: message.message });
          break;
      }
    });
    this.socket.addEventListener("close", (event) => {
      const reason =
        event.code === 4401
          ? "not signed in: open the address `waypost serve` printed"
          : event.code === 4403
            ? "this page's origin is not allowed"
            : event.reason || "the connection to the server was lost";
      finish({ kind: "lost", code: event.code, reason });
    });
  }

  get running(): boolean {
    return !this.ended;
  }

  input(data: string): void {
    this.send({ type: "input", data });
  }

  eof(): void {
    this.send({ type: "eof" });
  }

  resize(rows: number, cols: number): void {
    this.send({ type: "resize", rows, cols });
  }

  stop(kind: StopKind): void {
    this.send({ type: "stop", kind });
  }

  /** Leave: a background execution keeps running on the server, any other one stops. */
  close(): void {
    this.socket.close(1000);
  }

  private send(message: ClientMessage): void {
    if (this.ended) return;
    const text = JSON.stringify(message);
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(text);
    else if (this.socket.readyState === WebSocket.CONNECTING) this.queue.push(text);
  }
}
