// Claude Code's front-matter reader, written from the rules in CLAUDE_CODE_FORMAT.md ("Front matter"
// and "Skipped"), on Bun's own YAML parser. The differential tests (src/frontmatter/differential.rs) run
// agentpack's reader and this one on the same documents and compare what each sees.
//
// Usage: bun reader.js DOCS.json — DOCS.json is a JSON array of documents (strings); prints a JSON array
// with one view per document. One process reads a whole batch.

const SPECIAL = /[{}[\]*&#!|>%@`]|: /;

function isList(value) {
  try {
    return Array.isArray(Bun.YAML.parse(value));
  } catch {
    return false;
  }
}

// The lenient retry: quote simple `key: value` lines holding YAML indicators, turn leading tabs into spaces.
function retry(yaml) {
  return yaml
    .split("\n")
    .map((line) => {
      const m = line.match(/^([a-zA-Z_-]+):\s+(.+)$/);
      if (m) {
        const [, key, value] = m;
        const wrapped = (open, close) => value.startsWith(open) && value.endsWith(close);
        const keep = wrapped('"', '"') || wrapped("'", "'") || (wrapped("[", "]") && isList(value));
        if (!keep && SPECIAL.test(value)) {
          return `${key}: "${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
        }
      }
      return line.replace(/^\t+/, (tabs) => "  ".repeat(tabs.length));
    })
    .join("\n");
}

// The front matter as a mapping, or null when there is none (documentation).
function frontMatter(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.indexOf("---", 3) === -1) return null;
  const m = text.match(/^---\s*\n([\s\S]*?)---\s*\n?/);
  if (!m) return null;
  let fm;
  try {
    fm = Bun.YAML.parse(m[1]);
  } catch {
    try {
      fm = Bun.YAML.parse(retry(m[1]));
    } catch {
      return null;
    }
  }
  return fm !== null && typeof fm === "object" && !Array.isArray(fm) ? fm : null;
}

// A value in a form both readers can print: `s:text`, `n:12`, `b:true`, `null`, `[...]`, `{...}` (keys
// sorted), or null when absent.
function show(v) {
  if (v === undefined) return null;
  if (v === null) return "null";
  if (typeof v === "string") return "s:" + v;
  if (typeof v === "number") return "n:" + String(v);
  if (typeof v === "boolean") return "b:" + v;
  if (Array.isArray(v)) return "[" + v.map((i) => show(i) ?? "null").join(",") + "]";
  const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + show(v[k])).join(",") + "}";
}

function view(text) {
  const found = frontMatter(text);
  const fm = found ?? {};
  const own = (k) => (Object.hasOwn(fm, k) ? fm[k] : undefined);
  const name = own("name");
  const d = own("description");
  // A number or boolean description is coerced to text; a blank one counts as missing.
  const description =
    typeof d === "string" || typeof d === "number" || typeof d === "boolean" ? String(d) : null;
  const loads =
    typeof name === "string" &&
    name !== "" &&
    !name.startsWith("-") &&
    !name.includes(":") &&
    description !== null &&
    description.trim() !== "";
  return {
    loads,
    mapping: found !== null,
    name: typeof name === "string" ? name : null,
    description,
    tools: show(own("tools")),
    model: show(own("model")),
    hooks: Object.hasOwn(fm, "hooks"),
    mcpServers: Object.hasOwn(fm, "mcpServers"),
    permissionMode: show(own("permissionMode")),
  };
}

const docs = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
process.stdout.write(JSON.stringify(docs.map(view)));
