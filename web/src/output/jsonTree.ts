/**
 * JSON as a collapsible tree: <details> per object and array, so it is keyboard navigable for
 * free. Children are built the first time a node opens, so a huge document costs nothing shut.
 */

const OPEN_DEPTH = 2;
const MAX_CHILDREN = 500;

export function jsonTree(value: unknown): HTMLElement {
  const root = document.createElement("div");
  root.className = "json-tree";
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", "JSON");
  root.append(node(undefined, value, 0));
  return root;
}

function node(key: string | undefined, value: unknown, depth: number): HTMLElement {
  if (value !== null && typeof value === "object") return branch(key, value, depth);
  const leaf = document.createElement("div");
  leaf.className = "json-leaf";
  if (key !== undefined) leaf.append(keySpan(key));
  leaf.append(scalar(value));
  return leaf;
}

function branch(key: string | undefined, value: object, depth: number): HTMLElement {
  const isArray = Array.isArray(value);
  const entries: Array<[string, unknown]> = isArray
    ? (value as unknown[]).map((v, i) => [String(i), v])
    : Object.entries(value);
  const details = document.createElement("details");
  details.className = "json-branch";
  const summary = document.createElement("summary");
  if (key !== undefined) summary.append(keySpan(key));
  const brace = document.createElement("span");
  brace.className = "json-brace";
  brace.textContent = isArray ? "[…]" : "{…}";
  const count = document.createElement("span");
  count.className = "json-count";
  const n = entries.length;
  count.textContent = isArray ? `${n} item${n === 1 ? "" : "s"}` : `${n} key${n === 1 ? "" : "s"}`;
  summary.append(brace, " ", count);
  details.append(summary);
  let built = false;
  const build = () => {
    if (built) return;
    built = true;
    const children = document.createElement("div");
    children.className = "json-children";
    appendEntries(children, entries, 0, depth);
    details.append(children);
  };
  details.addEventListener("toggle", () => details.open && build());
  if (depth < OPEN_DEPTH && n <= MAX_CHILDREN) {
    details.open = true;
    build();
  }
  return details;
}

function appendEntries(
  parent: HTMLElement,
  entries: Array<[string, unknown]>,
  start: number,
  depth: number,
): void {
  const end = Math.min(entries.length, start + MAX_CHILDREN);
  for (let i = start; i < end; i++) {
    const [k, v] = entries[i]!;
    parent.append(node(k, v, depth + 1));
  }
  if (end < entries.length) {
    const more = document.createElement("button");
    more.type = "button";
    more.className = "link json-more";
    more.textContent = `Show ${Math.min(MAX_CHILDREN, entries.length - end)} more of ${entries.length - end}`;
    more.addEventListener("click", () => {
      more.remove();
      appendEntries(parent, entries, end, depth);
    });
    parent.append(more);
  }
}

function keySpan(key: string): HTMLElement {
  const span = document.createElement("span");
  span.className = "json-key";
  span.textContent = `${key}: `;
  return span;
}

function scalar(value: unknown): HTMLElement {
  const span = document.createElement("span");
  const type = value === null ? "null" : typeof value;
  span.className = `json-${type}`;
  span.textContent = type === "string" ? JSON.stringify(value) : String(value);
  return span;
}
