//! Reading a large lock in pieces on every core (`raw::parse`): whatever the text, the same lock or the
//! same error as reading it whole.

use std::path::Path;

use super::*;

/// A lock of `n` sources, `n` agents and `n` skills (each with two files) and `n` commands, in the order
/// agentpack writes them; `crlf` ends its lines with `\r\n`.
fn lock_text(n: usize, crlf: bool) -> String {
    let sha = "b".repeat(64);
    let mut text = "# written by hand\nversion = 1\n\n".to_string();
    for i in 0..n {
        text +=
            &format!("[[source]]\nname = \"s{i}\"\npath = \"../s{i}\"\ncontent-hash = \"x\"\n\n");
    }
    for i in 0..n {
        text += &format!(
            "[[agent]]\nname = \"a{i}\"\nsource = \"s{}\"\npath = \"a{i}.md\"\nfile = \".claude/agents/a{i}.md\"\nsha256 = \"{sha}\"\n\n",
            i % 7
        );
    }
    for i in 0..n {
        text += &format!(
            "[[skill]]\nname = \"k{i}\"\nsource = \"s1\"\npath = \"k{i}\"\ndir = \".claude/skills/k{i}\"\n\
             [[skill.files]]\npath = \"SKILL.md\"\nsha256 = \"{sha}\"\n[[skill.files]]\npath = \"run.sh\"\nsha256 = \"{sha}\"\n\n"
        );
    }
    for i in 0..n {
        text += &format!(
            "[[command]]\nname = \"c{i}\"\nsource = \"s2\"\npath = \"c{i}.md\"\nfile = \".claude/commands/c{i}.md\"\nsha256 = \"{sha}\"\n\n"
        );
    }
    match crlf {
        true => text.replace('\n', "\r\n"),
        false => text,
    }
}

/// What `toml` makes of the text read whole, and what [`raw::parse`] makes of it: equal when read, the
/// same message when refused.
fn read_both_ways(text: &str) -> (Result<String, String>, Result<String, String>) {
    let show = |lock: Result<raw::RawLock, toml::de::Error>| {
        lock.map(|l| toml::to_string(&l).unwrap())
            .map_err(|e| e.to_string())
    };
    (show(toml::from_str(text)), show(raw::parse(text)))
}

#[test]
fn a_large_lock_is_read_in_pieces_as_it_is_read_whole() {
    for crlf in [false, true] {
        let text = lock_text(300, crlf);
        assert!(text.len() > 64 * 1024, "{}", text.len());
        let pieces = raw::in_pieces(&text).expect("read in pieces");
        let whole: raw::RawLock = toml::from_str(&text).unwrap();
        assert_eq!(pieces.agents.len(), 300);
        assert_eq!(pieces.skills.len(), 300);
        assert_eq!(
            toml::to_string(&pieces).unwrap(),
            toml::to_string(&whole).unwrap()
        );
        let lock = Lockfile::parse(Path::new("agentpack.lock"), &text).unwrap();
        assert_eq!(lock.agents.len(), 300);
    }
    // A small lock, or one with a multi-line string, is read whole.
    assert!(raw::in_pieces(&lock_text(20, false)).is_none());
    let quoted =
        lock_text(300, false).replacen("content-hash = \"x\"", "content-hash = \"\"\"x\"\"\"", 1);
    assert!(raw::in_pieces(&quoted).is_none());
    assert!(Lockfile::parse(Path::new("agentpack.lock"), &quoted).is_ok());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Lines a hand edit (or a hostile merge) can put anywhere in a large lock, among them lines that
    /// look like a piece's first line but are inside a string or an array, and headers that refer back
    /// to an entry of an earlier piece: whatever the text, reading it in pieces gives exactly what
    /// reading it whole gives, the lock or the same error.
    #[test]
    fn a_lock_read_in_pieces_is_the_lock_read_whole(
        crlf in proptest::prelude::any::<bool>(),
        edits in proptest::collection::vec((0usize..10_000, 0usize..16), 0..4),
    ) {
        let snippets = [
            "[source.extra]\nx = 1\n",
            "[[skill.files]]\npath = \"extra.md\"\nsha256 = \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"\n",
            "tag = \"\"\"\n[[agent]]\nname = \"x\"\n\"\"\"\n",
            "tag = '''\n[[command]]\n'''\n",
            "x = [\n[[1]],\n]\n",
            "x = [\n[[agent]],\n]\n",
            "version = 2\n",
            "[[agent]]\n",
            "[agent]\n",
            "# [[agent]]\n",
            " [[agent]]\nname = \"x\"\nsource = \"s1\"\npath = \"x.md\"\nfile = \".claude/agents/x.md\"\nsha256 = \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"\n",
            "[[skipped]]\n",
            "[[source]]\nname = \"s0\"\npath = \"../again\"\n",
            "[[agent]] # a comment\n",
            "agent = []\n",
            "skipped = [\n]\n",
        ];
        let mut lines: Vec<String> = lock_text(300, false).split_inclusive('\n').map(String::from).collect();
        for (at, which) in edits {
            let at = at % (lines.len() + 1);
            lines.insert(at, snippets[which].to_string());
        }
        let mut text = lines.concat();
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        let (whole, pieces) = read_both_ways(&text);
        proptest::prop_assert_eq!(whole, pieces);
    }
}

/// A top-level array written inline before the first header (`agent = []`) cannot be extended by a later
/// header (`[[agent]]`): TOML refuses the whole text. Each piece alone does not see the inline array, so
/// reading in pieces must not turn that refused text into a lock.
#[test]
fn an_inline_array_extended_by_a_later_piece_is_refused_as_it_is_read_whole() {
    let agent = "{ name = \"z\", source = \"s1\", path = \"z.md\", file = \".claude/agents/z.md\", sha256 = \"x\" }";
    let inline = [
        "source = []",
        "agent = []",
        "skill = []",
        "command = []",
        "skipped = []",
    ]
    .map(String::from)
    .into_iter()
    .chain([format!("agent = [{agent}]")]);
    for key in inline {
        let text = lock_text(300, false).replacen(
            "version = 1\n",
            &format!("version = 1\n{key}\n"),
            1,
        ) + "[[skipped]]\nname = \"q\"\nsource = \"s1\"\npath = \"q.md\"\ninstalled-from = \"s2\"\n";
        let (whole, pieces) = read_both_ways(&text);
        assert!(whole.is_err(), "{key}: {whole:?}");
        assert_eq!(whole, pieces, "{key}");
    }
}

/// Hand edits around the cuts of a large lock, each read in pieces exactly as whole (the lock, or the
/// same error): a BOM, tables and dotted keys naming an array of an earlier piece, a `version` table
/// after a cut, a piece that is only a header, TOML 1.1's multi-line inline table around a header line,
/// line ends TOML does not take (CR alone, U+2028), a header line with trailing blanks.
#[test]
fn hand_edits_around_the_cuts_read_in_pieces_as_whole() {
    let base = lock_text(300, false);
    let c200 = "[[command]]\nname = \"c200\"";
    let before_c200 = |what: &str| base.replace(c200, &format!("{what}{c200}"));
    let cases = [
        ("bom", format!("\u{feff}{base}")),
        (
            "dotted",
            base.replacen("version = 1\n", "version = 1\nagent.x = 1\n", 1),
        ),
        (
            "inline table",
            base.replacen("version = 1\n", "version = 1\nagent = {}\n", 1),
        ),
        (
            "multi-line inline table",
            base.replacen("content-hash = \"x\"\n", "x = {\n[[agent]]\n}\n", 1),
        ),
        (
            "agent.patch after a cut",
            before_c200("[agent.patch]\nx = 1\n"),
        ),
        ("agent table after a cut", before_c200("[agent]\n")),
        ("skill.files after a cut", before_c200("[skill.files]\n")),
        ("version table after a cut", before_c200("[version]\n")),
        ("header-only piece", before_c200("[[skipped]]\n")),
        ("empty command", before_c200("[[command]]\n")),
        (
            "trailing tab",
            base.replace(c200, "[[command]]\t\nname = \"c200\""),
        ),
        ("cr alone", base.replace('\n', "\r")),
        ("line separator", base.replace("\n\n", "\n\u{2028}\n")),
    ];
    for (what, text) in cases {
        let (whole, pieces) = read_both_ways(&text);
        assert_eq!(whole, pieces, "{what}");
    }
    // The cases that parse at all are read in pieces, not whole.
    let bom = format!("\u{feff}{base}");
    assert!(raw::in_pieces(&bom).is_some());
    assert!(
        read_both_ways(&base.replace(c200, "[[command]]\t\nname = \"c200\""))
            .0
            .is_ok()
    );
}
