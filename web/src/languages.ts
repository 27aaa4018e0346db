/**
 * Syntax highlighting by a cell's language id: each language is its own chunk, loaded the first
 * time a cell needs it, so a runbook of shell cells never downloads the SQL grammar.
 */

import { StreamLanguage, type StreamParser } from "@codemirror/language";
import type { Extension } from "@codemirror/state";

type Loader = () => Promise<Extension>;

const legacy =
  (load: () => Promise<StreamParser<unknown>>): Loader =>
  async () =>
    StreamLanguage.define(await load());

const shell = legacy(async () => (await import("@codemirror/legacy-modes/mode/shell")).shell);
const python: Loader = async () => (await import("@codemirror/lang-python")).python();
const javascript: Loader = async () => (await import("@codemirror/lang-javascript")).javascript();
const typescript: Loader = async () =>
  (await import("@codemirror/lang-javascript")).javascript({ typescript: true });
const jsx: Loader = async () =>
  (await import("@codemirror/lang-javascript")).javascript({ jsx: true });
const tsx: Loader = async () =>
  (await import("@codemirror/lang-javascript")).javascript({ jsx: true, typescript: true });
const yaml: Loader = async () => (await import("@codemirror/lang-yaml")).yaml();
const json: Loader = async () => (await import("@codemirror/lang-json")).json();
const sql: Loader = async () => (await import("@codemirror/lang-sql")).sql();
const go: Loader = async () => (await import("@codemirror/lang-go")).go();
const dockerfile = legacy(
  async () => (await import("@codemirror/legacy-modes/mode/dockerfile")).dockerFile,
);
const toml = legacy(async () => (await import("@codemirror/legacy-modes/mode/toml")).toml);
const ruby = legacy(async () => (await import("@codemirror/legacy-modes/mode/ruby")).ruby);
const rust = legacy(async () => (await import("@codemirror/legacy-modes/mode/rust")).rust);
const diff = legacy(async () => (await import("@codemirror/legacy-modes/mode/diff")).diff);
const powershell = legacy(
  async () => (await import("@codemirror/legacy-modes/mode/powershell")).powerShell,
);
const perl = legacy(async () => (await import("@codemirror/legacy-modes/mode/perl")).perl);
const lua = legacy(async () => (await import("@codemirror/legacy-modes/mode/lua")).lua);
const ini = legacy(
  async () => (await import("@codemirror/legacy-modes/mode/properties")).properties,
);

const LOADERS: Record<string, Loader> = {
  sh: shell,
  bash: shell,
  shell,
  zsh: shell,
  ksh: shell,
  fish: shell,
  shellscript: shell,
  py: python,
  python,
  python3: python,
  js: javascript,
  javascript,
  mjs: javascript,
  cjs: javascript,
  node: javascript,
  jsx,
  ts: typescript,
  typescript,
  tsx,
  yaml,
  yml: yaml,
  json,
  jsonc: json,
  json5: json,
  sql,
  psql: sql,
  mysql: sql,
  postgres: sql,
  postgresql: sql,
  sqlite: sql,
  go,
  golang: go,
  dockerfile,
  docker: dockerfile,
  toml,
  ruby,
  rb: ruby,
  rust,
  rs: rust,
  diff,
  patch: diff,
  powershell,
  ps1: powershell,
  pwsh: powershell,
  perl,
  pl: perl,
  lua,
  ini,
  properties: ini,
};

/** Language ids offered when a cell's language is picked (the file may use any other). */
export const COMMON_LANGUAGES = [
  "sh",
  "bash",
  "python",
  "javascript",
  "typescript",
  "yaml",
  "json",
  "sql",
  "go",
  "dockerfile",
  "toml",
  "ruby",
  "rust",
  "powershell",
];

const cache = new Map<string, Promise<Extension>>();

/** The highlighting for a language id, or undefined when there is none. */
export function loadLanguage(languageId: string): Promise<Extension> | undefined {
  const key = languageId.trim().toLowerCase();
  const loader = LOADERS[key];
  if (!loader) return undefined;
  let pending = cache.get(key);
  if (!pending) {
    pending = loader();
    cache.set(key, pending);
  }
  return pending;
}
