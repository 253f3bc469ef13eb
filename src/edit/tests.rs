use super::*;

const COMMENTED: &str = "# my agents\n[install]\ntarget = \".claude/agents\"  # where they go\n\n# the studio\n[sources.studio]\ngit = 'https://example.com/studio'   # single quotes stay\nagents = [ \"a\",  \"b\" ]\nrename = { b = \"bee\" }\n\n[sources.other]  # trailing\npath = \"../x\"\n";

fn edit() -> ManifestEdit {
    ManifestEdit::parse(Path::new("agentpack.toml"), COMMENTED).unwrap()
}

#[test]
fn plugins_are_added_to_the_list_keeping_what_is_there() {
    let mut e = ManifestEdit::parse(
        Path::new("agentpack.toml"),
        "[sources.m]\ngit = \"https://example.com/m\"\nplugins = [\"a\"]  # mine\n",
    )
    .unwrap();
    let source = |plugins: &[&str]| NewSource {
        name: "m".into(),
        origin: Origin::Git("https://example.com/m".into()),
        reference: None,
        subdir: None,
        agents: Vec::new(),
        skills: Vec::new(),
        commands: Vec::new(),
        rename: None,
        plugins: plugins.iter().map(|p| p.to_string()).collect(),
    };
    e.change_source(&source(&["a", "b"]));
    assert_eq!(
        e.to_string(),
        "[sources.m]\ngit = \"https://example.com/m\"\nplugins = [\"a\", \"b\"]  # mine\n"
    );
    let mut e = ManifestEdit::parse(Path::new("agentpack.toml"), "").unwrap();
    e.add_source(&source(&["x"]));
    assert_eq!(
        e.to_string(),
        "[sources.m]\ngit = \"https://example.com/m\"\nplugins = [\"x\"]\n"
    );
}

#[test]
fn adding_appends_and_keeps_every_other_byte() {
    let mut e = edit();
    e.add_source(&NewSource {
        name: "tools".into(),
        origin: Origin::Git("https://github.com/o/tools".into()),
        reference: Some(GitRef::Tag("v1.0.0".into())),
        subdir: None,
        agents: vec!["x".into()],
        skills: Vec::new(),
        commands: Vec::new(),
        rename: Some(("x".into(), "y".into())),
        plugins: Vec::new(),
    });
    assert_eq!(
        e.to_string(),
        format!(
            "{COMMENTED}\n[sources.tools]\ngit = \"https://github.com/o/tools\"\ntag = \"v1.0.0\"\nagents = [\"x\"]\nrename = {{ x = \"y\" }}\n"
        )
    );
}

#[test]
fn a_rename_added_to_an_inline_table_is_spaced_like_the_others() {
    let mut e = edit();
    let change = |from: &str, to: &str| NewSource {
        name: "studio".into(),
        origin: Origin::Git("https://example.com/studio".into()),
        reference: None,
        subdir: None,
        agents: Vec::new(),
        skills: Vec::new(),
        commands: Vec::new(),
        plugins: Vec::new(),
        rename: Some((from.into(), to.into())),
    };
    e.change_source(&change("skill:pdf", "acme-pdf"));
    e.change_source(&change("b", "bea"));
    assert_eq!(
        e.to_string(),
        COMMENTED.replace(
            "rename = { b = \"bee\" }",
            "rename = { b = \"bea\", \"skill:pdf\" = \"acme-pdf\" }"
        )
    );
}

#[test]
fn keeping_every_agent_writes_the_agents_key_only_when_no_kind_has_one() {
    let mut e = edit();
    let skill = NewSource {
        name: "other".into(),
        origin: Origin::Path("../x".into()),
        reference: None,
        subdir: None,
        agents: Vec::new(),
        skills: vec!["pdf".into()],
        commands: Vec::new(),
        plugins: Vec::new(),
        rename: None,
    };
    e.keep_every_agent("other");
    e.change_source(&skill);
    let with_skill = COMMENTED.replace(
        "path = \"../x\"\n",
        "path = \"../x\"\nagents = [\"*\"]\nskills = [\"pdf\"]\n",
    );
    assert_eq!(e.to_string(), with_skill);
    // A source that already has a key of some kind says what it takes: it is not widened.
    e.keep_every_agent("other");
    e.change_source(&NewSource {
        commands: vec!["review".into()],
        skills: Vec::new(),
        ..skill
    });
    assert_eq!(
        e.to_string(),
        with_skill.replace(
            "skills = [\"pdf\"]\n",
            "skills = [\"pdf\"]\ncommands = [\"review\"]\n"
        )
    );
}

#[test]
fn removing_a_source_keeps_the_rest() {
    let mut e = edit();
    assert!(e.remove_source("other"));
    assert!(!e.remove_source("nope"));
    // The blank line above the table goes with it; everything before is untouched.
    assert_eq!(
        e.to_string(),
        COMMENTED.split("\n[sources.other]").next().unwrap()
    );
}

#[test]
fn patches_are_set_in_their_own_table_and_removed_with_it() {
    let mut e = edit();
    e.set_patch("a", "agentpack-patches/a.patch");
    e.set_patch("bee", "agentpack-patches/bee.patch");
    assert_eq!(
        e.to_string(),
        format!(
            "{COMMENTED}\n[patches]\na = \"agentpack-patches/a.patch\"\nbee = \"agentpack-patches/bee.patch\"\n"
        )
    );
    assert!(e.remove_patch("a"));
    assert!(!e.remove_patch("a"));
    assert!(e.remove_patch("bee"));
    assert_eq!(e.to_string(), COMMENTED);
}

#[test]
fn agent_lists_exclude_and_rename() {
    let mut e = edit();
    assert_eq!(e.agents("studio"), ["a", "b"]);
    assert!(e.drop_agent_entry("studio", "b"));
    e.drop_rename_to("studio", "bee");
    e.exclude("other", "z");
    let text = e.to_string();
    assert!(text.contains("agents = [ \"a\" ]"), "{text}");
    assert!(!text.contains("rename"), "{text}");
    assert!(
        text.contains("[sources.other]  # trailing\npath = \"../x\"\nexclude = [\"z\"]\n"),
        "{text}"
    );
    assert!(text.starts_with("# my agents\n[install]\ntarget = \".claude/agents\"  # where they go\n\n# the studio\n[sources.studio]\ngit = 'https://example.com/studio'   # single quotes stay\n"), "{text}");
}
