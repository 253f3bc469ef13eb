//! Hostile text in agent files and names: invisible characters beyond category Cf (variation selectors,
//! Hangul fillers, U+034F, U+2800, fake tag flags, `ESC`), also written as YAML escapes or in a pack's
//! `rename`, in `install`, `verify` and `lint`; and names that are distinct here but one file on macOS or
//! Windows (Unicode normalisation, case folding) or a Windows device.

use crate::support::*;

/// One agent per invisible payload, the payload on body line 5 after `ab`.
const INVISIBLE: &[(&str, &str, &str)] = &[
    (
        "vs-run",
        "\u{FE00}\u{FE01}\u{FE02}",
        "U+FE00 VARIATION SELECTOR",
    ),
    (
        "vs-supplement",
        "\u{E0100}\u{E0142}",
        "U+E0100 VARIATION SELECTOR",
    ),
    ("hangul-filler", "\u{3164}", "U+3164 HANGUL FILLER"),
    (
        "halfwidth-filler",
        "\u{FFA0}",
        "U+FFA0 HALFWIDTH HANGUL FILLER",
    ),
    (
        "grapheme-joiner",
        "\u{034F}",
        "U+034F COMBINING GRAPHEME JOINER",
    ),
    ("braille-blank", "\u{2800}", "U+2800 BRAILLE PATTERN BLANK"),
    // Conceals what follows on a terminal that prints the file.
    ("escape", "\x1b[8m", "U+001B ESCAPE"),
    (
        "fake-flag",
        "\u{1F3F4}\u{E0072}\u{E006D}\u{E0072}\u{E0066}\u{E007F}",
        "the tag characters spell `rmrf`",
    ),
];

fn invisible_repo() -> GitRepo {
    let repo = GitRepo::new("invisible");
    for (name, payload, _) in INVISIBLE {
        repo.file(
            &format!("agents/{name}.md"),
            format!("---\nname: {name}\ndescription: d\n---\nab{payload}cd\n"),
        );
    }
    // Legitimate uses of the same characters: emoji style, a keycap, an ideographic variant, a flag.
    repo.file(
        "agents/fine.md",
        "---\nname: fine\ndescription: \u{26A0}\u{FE0F} careful, 1\u{FE0F}\u{20E3}\n---\n\u{845B}\u{E0100} \u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}\n",
    );
    repo.commit("invisible payloads");
    repo
}

/// `agentpack lint --json` on `agents/` of `repo`, which holds errors.
fn lint_agents(sb: &Sandbox, repo: &GitRepo) -> serde_json::Value {
    let dir = repo.path().join("agents").display().to_string();
    sb.run(["lint", "--json", &dir]).failure(1).stdout_json()
}

#[test]
fn invisible_payloads_are_refused_by_install_and_reported_by_lint_and_verify() {
    let repo = invisible_repo();
    let sb = Sandbox::new();
    let third = Source::git("third", repo.url());
    sb.manifest(&Manifest::new().source(third.clone()));
    let out = sb.run(["install"]).failure(1);
    for (name, _, what) in INVISIBLE {
        assert!(
            out.stderr()
                .contains(&format!("--> third:agents/{name}.md:5:")),
            "{name}: {out}"
        );
        assert!(out.stderr().contains(what), "{what}: {out}");
    }
    assert!(!out.stderr().contains("agents/fine.md"), "{out}");
    assert!(!sb.exists(".claude/agents"));

    let json = lint_agents(&sb, &repo);
    assert_eq!(json["errors"], INVISIBLE.len(), "{json}");

    // Allowed, they install as warnings, and `verify` still reports each.
    sb.manifest(&Manifest::new().source(third.allow_unicode(true)));
    sb.run(["install"]).success();
    let verify = sb.run(["verify", "--json"]).success().stdout_json();
    let problems = verify["problems"].as_array().unwrap();
    let hidden: Vec<&str> = problems
        .iter()
        .filter(|p| p["code"] == "hidden-unicode")
        .map(|p| p["file"].as_str().unwrap())
        .collect();
    assert_eq!(hidden.len(), INVISIBLE.len(), "{verify}");
    for (name, _, _) in INVISIBLE {
        assert!(
            hidden.iter().any(|f| f.ends_with(&format!("{name}.md"))),
            "{name}: {verify}"
        );
    }
}

#[test]
fn names_one_file_apart_on_macos_or_windows_collide() {
    let repo = GitRepo::new("names");
    repo.file("agents/nfc.md", agent("caf\u{e9}", "composed"));
    repo.file("agents/nfd.md", agent("cafe\u{301}", "decomposed"));
    repo.file("agents/upper.md", agent("Reviewer", "upper case"));
    repo.file("agents/lower.md", agent("reviewer", "lower case"));
    // Apart when lowercased, one name under case folding (APFS): U+017F LATIN SMALL LETTER LONG S.
    repo.file("agents/long-s.md", agent("\u{17f}canner", "long s"));
    repo.file("agents/short-s.md", agent("scanner", "short s"));
    repo.commit("names");
    let sb = project(&Manifest::new().source(Source::git("s", repo.url())));
    let out = sb.run(["install"]).failure(1);
    assert!(
        out.stderr().contains(
            "error[name-collision]: 2 agents would be installed as `cafe\u{301}`: `s:agents/nfd.md`, `s:agents/nfc.md`"
        ),
        "{out}"
    );
    assert!(
        out.stderr().contains(
            "error[name-collision]: 2 agents would be installed as `Reviewer`: `s:agents/upper.md`, `s:agents/lower.md`"
        ),
        "{out}"
    );
    assert!(
        out.stderr().contains(
            "error[name-collision]: 2 agents would be installed as `scanner`: `s:agents/short-s.md`, `s:agents/long-s.md`"
        ),
        "{out}"
    );
    assert!(!sb.exists(".claude/agents"));
}

#[test]
fn every_windows_device_name_is_refused() {
    let repo = GitRepo::new("devices");
    let names = [
        "COM\u{b9}",
        "lpt\u{b2}",
        "LPT\u{b3}.notes",
        "CONIN$",
        "conout$",
        "CONOUT$.txt",
        "com0",
    ];
    for (i, name) in names.iter().enumerate() {
        repo.file(&format!("agents/d{i}.md"), agent(name, "a device"));
    }
    repo.file("agents/fine.md", agent("comten", "not a device"));
    repo.commit("devices");
    let sb = project(&Manifest::new().source(Source::git("s", repo.url())));
    let out = sb.run(["install"]).failure(1);
    for (i, name) in names.iter().enumerate() {
        let stem = name.split('.').next().unwrap();
        assert!(
            out.stderr().contains(&format!(
                "is the Windows device name `{stem}`, which cannot be used as a file name"
            )),
            "{name}: {out}"
        );
        assert!(
            out.stderr().contains(&format!("--> s:agents/d{i}.md")),
            "{name}: {out}"
        );
    }
    assert!(!out.stderr().contains("agents/fine.md"), "{out}");
    assert!(!sb.exists(".claude/agents"));
}

#[test]
fn invisible_characters_written_as_yaml_escapes_are_refused() {
    let repo = GitRepo::new("escaped");
    repo.file(
        "agents/name.md",
        "---\nname: \"code\\u200Breviewer\"\ndescription: d\n---\nbody\n",
    );
    repo.file(
        "agents/tags.md",
        "---\nname: tags\ndescription: \"ok\\U000E0072\\U000E006D\"\n---\nbody\n",
    );
    repo.file(
        "agents/bell.md",
        "---\nname: bell\ndescription: \"title\\e]0;pwned\\a\"\n---\nbody\n",
    );
    repo.file(
        "agents/nested.md",
        "---\nname: nested\ndescription: d\ntools: [Read, \"Grep\\u2060\"]\n---\nbody\n",
    );
    // Escapes of visible characters, and of a selector that belongs to the emoji before it, are fine.
    repo.file(
        "agents/fine.md",
        "---\nname: fine\ndescription: \"caf\\u00E9 \\u26A0\\uFE0F\"\n---\nbody\n",
    );
    repo.commit("escaped payloads");
    let sb = project(&Manifest::new().source(Source::git("s", repo.url())));
    let out = sb.run(["install"]).failure(1);
    for expected in [
        "error[hidden-unicode]: `name` is written with escape sequences that decode to hidden Unicode character U+200B ZERO WIDTH SPACE: it is invisible in editors and reviews, but the model reads it\n --> s:agents/name.md:2:1",
        "error[name-invalid]: `name` `code\u{200B}reviewer` contains the invisible character U+200B, so two different files would show the same name",
        "error[hidden-unicode]: `description` is written with escape sequences that decode to 2 hidden Unicode characters, starting with U+E0072 TAG CHARACTER: it is invisible in editors and reviews, but the model reads it; the tag characters spell `rm`\n --> s:agents/tags.md:3:1",
        "error[hidden-unicode]: `tools` is written with escape sequences that decode to hidden Unicode character U+2060 WORD JOINER",
        "error[hidden-unicode]: `description` is written with escape sequences that decode to 2 hidden Unicode characters, starting with U+001B ESCAPE: it is invisible in editors and acts on the terminal of whoever prints the file, but the model reads it\n --> s:agents/bell.md:3:1",
    ] {
        assert!(out.stderr().contains(expected), "{expected}\n{out}");
    }
    assert!(!out.stderr().contains("agents/fine.md"), "{out}");
    assert!(!sb.exists(".claude/agents"));

    let json = lint_agents(&sb, &repo);
    assert_eq!(json["errors"], 5, "{json}");
}

#[test]
fn a_pack_cannot_rename_an_agent_to_an_invisible_name() {
    let served = ServedRepos::start();
    let inner = GitRepo::new("inner");
    inner.file("helper.md", agent("helper", "Helps"));
    inner.commit("inner");
    let inner_url = served.publish(&inner, "inner");
    let pack = GitRepo::new("pack");
    // Raw text: the invisible character is written as the TOML escape `\u200B`, as an author
    // hiding it would.
    pack.file(
        "agentpack.toml",
        format!(
            "[sources.inner]\ngit = \"{inner_url}\"\nrename = {{ helper = \"help\\u200Ber\" }}\n"
        ),
    );
    pack.commit("pack");
    let sb = project(&Manifest::new().source(Source::git("p", pack.url())));
    let out = sb.run(["install"]).failure(2);
    assert!(
        out.stderr()
            .contains("contains the invisible character U+200B, so two different files would show the same name"),
        "{out}"
    );
    assert!(!sb.exists(".claude"));
}
