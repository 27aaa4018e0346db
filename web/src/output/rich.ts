/**
 * Native renderers: a cell's output shown by its MIME type (the cell's `mimeType` attribute, or
 * what the server sniffed from the first bytes). Plain text has none: it stays as text.
 */

import { renderMarkdown } from "../markdown";
import { jsonTree } from "./jsonTree";
import { table } from "./table";

const MAX_RICH = 16 * 1024 * 1024;

/** The MIME type without parameters, lower case: "text/csv; charset=utf-8" → "text/csv". */
export function essence(mime: string | undefined): string {
  return (mime ?? "").split(";")[0]!.trim().toLowerCase();
}

export function isRich(mime: string | undefined): boolean {
  const type = essence(mime);
  return (
    type === "application/json" ||
    type.endsWith("+json") ||
    type === "text/csv" ||
    type === "text/tab-separated-values" ||
    type === "text/html" ||
    type === "text/markdown" ||
    type.startsWith("image/")
  );
}

/** A view of `text` as `mime`, or undefined when it cannot be shown that way. */
export function renderRich(mime: string, text: string): HTMLElement | undefined {
  if (text.length > MAX_RICH) return undefined;
  const type = essence(mime);
  if (type === "application/json" || type.endsWith("+json")) {
    try {
      return jsonTree(JSON.parse(text));
    } catch {
      return undefined;
    }
  }
  if (type === "text/csv") return table(text, ",");
  if (type === "text/tab-separated-values") return table(text, "\t");
  if (type === "text/markdown") {
    const div = document.createElement("div");
    div.className = "output-markdown markdown-body";
    div.innerHTML = renderMarkdown(text);
    return div;
  }
  if (type === "text/html") return htmlFrame(text);
  if (type.startsWith("image/")) return image(type, text);
  return undefined;
}

function image(type: string, text: string): HTMLElement | undefined {
  let src: string;
  if (type === "image/svg+xml") {
    // as an <img>, an SVG runs no script and loads nothing
    src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  } else {
    const compact = text.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
    src = `data:${type};base64,${compact}`;
  }
  const img = document.createElement("img");
  img.className = "output-image";
  img.alt = `${type} output`;
  img.src = src;
  return img;
}

/** HTML in an iframe with an opaque origin; its policy forbids any network request. */
function htmlFrame(html: string): HTMLElement {
  const frame = document.createElement("iframe");
  frame.className = "output-html";
  frame.setAttribute("sandbox", "allow-scripts");
  frame.setAttribute("referrerpolicy", "no-referrer");
  frame.title = "HTML output";
  const policy =
    "default-src 'none'; img-src data: blob:; style-src 'unsafe-inline'; " +
    "script-src 'unsafe-inline'; font-src data:";
  // reports its height so the frame fits its content (the page cannot look inside it)
  const sizer =
    "<script>(function(){function s(){parent.postMessage({waypostFrameHeight:" +
    "document.documentElement.scrollHeight},'*')}addEventListener('load',s);" +
    "new ResizeObserver(s).observe(document.documentElement)})()</script>";
  frame.srcdoc = `<meta http-equiv="Content-Security-Policy" content="${policy}">${sizer}${html}`;
  const onMessage = (event: MessageEvent) => {
    if (!frame.isConnected) {
      removeEventListener("message", onMessage);
      return;
    }
    const height = (event.data as { waypostFrameHeight?: unknown } | null)?.waypostFrameHeight;
    if (event.source === frame.contentWindow && typeof height === "number") {
      frame.style.height = `${Math.min(Math.max(height + 4, 40), 800)}px`;
    }
  };
  addEventListener("message", onMessage);
  return frame;
}
