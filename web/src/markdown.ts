/**
 * GitHub-flavoured Markdown to safe HTML: markdown-it (tables, strikethrough, autolinks) with task
 * lists, then DOMPurify. Images from other origins are not fetched until the reader asks, so a
 * runbook never makes the page talk to the internet on its own.
 */

import DOMPurify from "dompurify";
import MarkdownIt from "markdown-it";
import taskLists from "markdown-it-task-lists";

const md = new MarkdownIt({ html: true, linkify: true, typographer: false });
md.use(taskLists, { enabled: false, label: true });

let hooked = false;

function hook(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook("afterSanitizeAttributes", (node) => {
    if (node instanceof HTMLAnchorElement && node.getAttribute("href")) {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer");
    }
    if (node instanceof HTMLImageElement) {
      const src = node.getAttribute("src") ?? "";
      if (isRemote(src)) {
        node.removeAttribute("src");
        node.setAttribute("data-remote-src", src);
        node.setAttribute("title", `Remote image not loaded: ${src} (click to load)`);
        node.classList.add("remote-image");
      }
    }
  });
}

function isRemote(src: string): boolean {
  if (!src || src.startsWith("data:")) return false;
  try {
    return new URL(src, location.href).origin !== location.origin;
  } catch {
    return true;
  }
}

/** Sanitized HTML for a Markdown text. */
export function renderMarkdown(text: string): string {
  hook();
  return DOMPurify.sanitize(md.render(text), {
    ADD_ATTR: ["target"],
    // task-list checkboxes are the only form controls a runbook may show (disabled)
    FORBID_TAGS: ["style", "form", "button", "textarea", "select"],
  });
}

/** Load a remote image the reader clicked on (never automatically). */
export function loadRemoteImage(event: Event): void {
  const target = event.target;
  if (target instanceof HTMLImageElement && target.dataset.remoteSrc) {
    target.src = target.dataset.remoteSrc;
    delete target.dataset.remoteSrc;
    target.classList.remove("remote-image");
    event.preventDefault();
  }
}
