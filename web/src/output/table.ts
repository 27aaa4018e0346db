/** CSV and TSV as a table (RFC 4180 quoting); the first row is the header. */

const MAX_ROWS = 1000;

export function parseDelimited(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
    } else if (ch === '"' && cell === "") {
      quoted = true;
    } else if (ch === delimiter) {
      row.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if (cell !== "" || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

export function table(text: string, delimiter: string): HTMLElement {
  const rows = parseDelimited(text, delimiter);
  const wrap = document.createElement("div");
  wrap.className = "output-table";
  wrap.tabIndex = 0;
  const el = document.createElement("table");
  const [header = [], ...body] = rows;
  const thead = el.createTHead().insertRow();
  for (const h of header) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = h;
    thead.append(th);
  }
  const tbody = el.createTBody();
  const fill = (from: number, to: number) => {
    for (const r of body.slice(from, to)) {
      const tr = tbody.insertRow();
      for (const c of r) tr.insertCell().textContent = c;
    }
  };
  fill(0, MAX_ROWS);
  wrap.append(el);
  if (body.length > MAX_ROWS) {
    const more = document.createElement("button");
    more.type = "button";
    more.className = "link";
    more.textContent = `Showing ${MAX_ROWS} of ${body.length} rows. Show all`;
    more.addEventListener("click", () => {
      fill(MAX_ROWS, body.length);
      more.remove();
    });
    wrap.append(more);
  }
  return wrap;
}
