//! A seeded generator of agent files for the differential tests: front matter assembled from lines
//! that mix what makes YAML readers disagree (tags, merge keys, anchors and aliases, quotes, `---`
//! inside lines, tabs, byte-order marks, `: ` in values, repeated keys, YAML 1.1 scalars, flow
//! mappings, several documents), around the fields Claude Code reads.

/// xorshift64*: small, seedable, and the same sequence on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const KEY_FORMS: &[&str] = &[
    "{k}",
    "{k}",
    "{k}",
    "!x {k}",
    "!!str {k}",
    "\"{k}\"",
    "'{k}'",
    "&a {k}",
    "? {k}\n:",
];

const NAMES: &[&str] = &[
    "code-reviewer",
    "code-reviewer",
    "Code Reviewer",
    "reviewer---x",
    "a:b",
    "-lead",
    "\"quoted-name\"",
    "'single'",
    "yes",
    "on",
    "0o17",
    "017",
    "1_000",
    "null",
    "~",
    "",
    "!!str 12",
    "!x tagged",
    "&n anchored",
    "*n",
    "[a, b]",
    "{a: b}",
    "code-reviewer # comment",
    "x: y",
    "2024",
    "1e3",
    ".inf",
    "true",
    "a/b",
    "dotted.name-1",
    "\"esc\\x41ped\"",
    "\"multi\n  line\"",
    "café",
    "name\tx",
    ">-\n  folded-name",
    "x\u{2028}y",
    "\u{a0}nbsp",
];

const DESCRIPTIONS: &[&str] = &[
    "Reviews code.",
    "Reviews code.",
    "Use it when: reviewing\\n<example>user: \"hi\"</example>",
    "\"quoted: value\"",
    "'it''s quoted'",
    ">\n  folded\n  text",
    "|\n  literal\n  text",
    "0o17",
    "yes",
    "1_000",
    "1.50",
    "-0",
    "Reviews --- code",
    "\"multi\n  line\"",
    "text # comment",
    "@mention someone",
    "run `code`",
    "[a, b]",
    "[a: b",
    "{a: 1}",
    "!!str",
    "!!str 017",
    "!x 0x1F",
    "&d described",
    "*d",
    "tab\there",
    "ends with colon:",
    "50% of the time",
    "a & b | c > d",
    "C:\\path\\to: \"x\"",
    "\"unterminated",
    "",
    "\"\"",
    "true",
    "Multi\n  continued line",
    "x\n  nested: key",
    ">-\n  stripped\n\n  paragraphs",
    "|+\n  kept\n\n",
    "|2\n    indented more",
    "'a''b: c'",
    "\"a\\\"b: c\"",
    "\"\\u00e9\\x41\\t\"",
    "key:value",
    "a #b",
    "a# b",
    "- item",
    "ends with colon: ",
    "\"line1\n\n  line3\"",
    "plain\n\n  after blank",
    "text\n  # comment inside?\n  more",
];

const TOOLS: &[&str] = &[
    "Read, Grep",
    "[Read, Grep]",
    "[]",
    "\n  - Read\n  - Bash",
    "\n\t- Read\n\t- Grep",
    "\"*\"",
    "{a: 1}",
    "Read, Bash(git *)",
    "[Read, *x]",
    "[Read] extra",
    "!!str [a]",
    "~",
    "Read # Bash",
    "!int 12",
    "!",
];

const MODELS: &[&str] = &[
    "sonnet",
    "opus",
    "Claude Sonnet 4.5 (copilot)",
    "claude-opus-5",
    "yes",
    "0x1F",
    "[a]",
    "!bool true",
    "opus # haiku",
];

/// Lines that bring in a risky field, directly or not.
const RISKY: &[&str] = &[
    "hooks: {PreToolUse: [{matcher: Bash, hooks: [{type: command, command: x}]}]}",
    "hooks:\n  Stop:\n    - hooks:\n        - type: command\n          command: y",
    "!x hooks: {a: 1}",
    "<<: {hooks: {a: 1}, permissionMode: dontAsk}",
    "\"<<\": [{mcpServers: [a]}, {permissionMode: auto}]",
    "<<: [{a: 1}, 5]",
    "<<: null",
    "<<: 'text'",
    "mcpServers: [github]",
    "!x mcpServers: {s: {command: npx}}",
    "mcpServers:",
    "permissionMode: bypassPermissions",
    "!x permissionMode: dontAsk",
    "permissionMode: !!str acceptEdits",
    "permissionMode: !!str dontAsk\nk: | +1",
    "permissionMode: !x bypassPermissions\nk: >\t-",
    "permissionMode: plan",
    "x: &m {hooks: {a: 1}}\n<<: *m",
    "<<: [{<<: {hooks: {a: 1}}}]",
    "<<: {<<: {permissionMode: bypassPermissions}}",
    "<<: !!map {mcpServers: [x]}",
    "hooks: !!set {a, b}",
    "mcpServers: !!omap [a: 1]",
    "permissionMode:\n  dontAsk",
    "permissionMode: >-\n  bypassPermissions",
    "hooks :\n  Stop: []",
    "{hooks: {a: 1}}",
];

const OTHER: &[&str] = &[
    "color: #10B981",
    "color: blue",
    "version: 1.0",
    "tags: [a, b]",
    "# comment",
    "",
    "  indented: x",
    "\tindented: y",
    "...",
    "x: a---b",
    "key: value: more",
    "flow: {a: 1, b: [2, 3]}",
    "{a: 1}",
    "dup: 1",
    "dup: 2",
    "? complex\n: key",
    "a: !custom 12",
    "a: !e!x 12",
    "list: - x",
    "- item",
    "maxTurns: 1.0",
    "background: on",
    "z: *undefined",
    "y: |\n  block --- with dashes",
    "user: \"continued\"",
    "a:b",
    "%YAML 1.2",
    "some key: x",
    "1: one",
    "null: x",
    "true: x",
    "description : spaced key",
    "name:\tx-tab",
    "name:\u{a0}nbsp",
    "multi: {a: 1,\n  b: 2}",
    "seq:\n- a\n- b",
    "seq:\n  - {name: inner}",
    "nested:\n  deeper:\n    name: not-top",
    "\"quoted key\": v",
    "%TAG ! tag:x,",
    "? [a, b]\n: c",
    "x: !!binary aGk=",
    "x: !!timestamp 2001-12-14",
    "- name: list-item",
    "x: a\u{feff}b",
    "\u{feff}key: v",
    "\u{feff}",
    "x: \"a\\\nb\"",
    "  - stray: item",
    "x: [a, {b: c}, [d]]",
    "x: {a: [1, 2], <<: {b: 3}}",
    "x: !<!> y",
    "x: !%41 1",
    "!%41 x: 1",
    "x: !!int true",
    "\t",
    "\t# tab comment",
    "k: | -\n  block",
];

/// A line `key: value`; with `flat`, the key as it is and a value on one line, as most agents have
/// (front matter read without the parser, when every line is so).
fn key_line(rng: &mut Rng, key: &str, values: &[&str], flat: bool) -> String {
    let form = match flat {
        true => key.to_string(),
        false => rng.pick(KEY_FORMS).replace("{k}", key),
    };
    let mut value = rng.pick(values);
    while flat && value.contains('\n') {
        value = rng.pick(values);
    }
    if value.starts_with('\n') {
        format!("{form}:{value}")
    } else {
        format!("{form}: {value}")
    }
}

fn document(rng: &mut Rng) -> String {
    let flat = rng.chance(20);
    let mut lines = Vec::new();
    for _ in 0..=usize::from(rng.chance(15)) {
        lines.push(key_line(rng, "name", NAMES, flat));
    }
    for _ in 0..[0, 1, 1, 1, 2][rng.below(5)] {
        lines.push(key_line(rng, "description", DESCRIPTIONS, flat));
    }
    if rng.chance(40) {
        lines.push(key_line(rng, "tools", TOOLS, flat));
    }
    if rng.chance(25) {
        lines.push(key_line(rng, "model", MODELS, flat));
    }
    for _ in 0..rng.below(3) {
        lines.push(rng.pick(RISKY).to_string());
    }
    for _ in 0..rng.below(4) {
        lines.push(rng.pick(OTHER).to_string());
    }
    if flat {
        lines.retain(|l| !l.contains(['\n', '{', '[', '#', '\t']));
    }
    // Shuffle, keeping `name` first more often than not.
    let fixed = usize::from(rng.chance(60));
    for i in (fixed + 1..lines.len()).rev() {
        let j = fixed + rng.below(i + 1 - fixed);
        lines.swap(i, j);
    }
    let open = rng.pick(&[
        "---\n",
        "---\n",
        "---\n",
        "\u{feff}---\n",
        "---\n\n",
        "--- \n",
        "---\n  \n",
    ]);
    let close = rng.pick(&["---\n", "---\n", "---", "--- x\n", "---\n---\n", ""]);
    let mut doc = format!("{open}{}\n{close}Body text.\n", lines.join("\n"));
    if rng.chance(10) {
        doc = doc.replace('\n', "\r\n");
    }
    doc
}

/// `count` documents from `seed`.
pub(super) fn documents(seed: u64, count: usize) -> Vec<String> {
    let mut rng = Rng(seed | 1);
    (0..count).map(|_| document(&mut rng)).collect()
}
