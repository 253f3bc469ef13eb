//! The no-op state (`<cache>/state/`) attacked as bad local state would: whatever happened to an installed
//! file since the last install (edited right after it, deleted, replaced by a symlink or a folder, left
//! edited by an install that kept the user's edit), neither the no-op short-cut of `install` nor `list`
//! may take it for the file the lock records. The sha256 is the authority; size and time stamp only a
//! short-cut.

use crate::support::*;

/// Set the modification time of the project's `rel` to an hour ago, as if long since written.
fn age(sb: &Sandbox, rel: &str) {
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(sb.path(rel))
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
}

const UI: &str = ".claude/agents/ui-designer.md";

fn studio_project() -> (GitRepo, Sandbox) {
    let repo = studio();
    let sb = project(&Manifest::new().source(Source::git("studio", repo.url()).tag("v1.0.0")));
    (repo, sb)
}

/// What every install says while the user's edit of `ui-designer.md` stays.
const EDITED: &str = "warning[modified-file]: `.claude/agents/ui-designer.md` was edited since install; it is left as you have it, and `agentpack verify` fails until you record or undo the edit
 --> .claude/agents/ui-designer.md
  = hint: keep the edit with `agentpack patch ui-designer`, or undo it with `agentpack install --force`
    Finished 0 installed, 2 unchanged, 1 warning
";

/// `list` of the studio project, `ui-designer` having `status`.
fn listed(repo: &GitRepo, status: &str) -> String {
    let short = &repo.head()[..7];
    format!(
        "NAME               SOURCE  REF         COMMIT   STATUS\n\
         backend-architect  studio  tag v1.0.0  {short}  ok\n\
         rapid-prototyper   studio  tag v1.0.0  {short}  ok\n\
         ui-designer        studio  tag v1.0.0  {short}  {status}\n"
    )
}

/// The edit an install keeps was once recorded with its fresh time stamp and the lock's sha256: the next
/// install was a silent no-op and `list` said `ok`.
#[test]
fn an_edit_an_install_kept_is_warned_about_by_every_install_and_listed_modified() {
    let (repo, sb) = studio_project();
    sb.run(["install"]).success();
    let original = sb.read(UI);
    sb.write(UI, original.replace("Designs UIs", "Designs APIs"));
    age(&sb, UI);
    sb.run(["install"]).success().stderr_is(EDITED);
    sb.run(["install"]).success().stderr_is(EDITED);
    sb.run(["list"])
        .success()
        .stdout_is(&listed(&repo, "modified"));
    // Undone, the file is the locked one again, and the short-cut comes back.
    sb.write(UI, &original);
    age(&sb, UI);
    sb.run(["install"])
        .success()
        .stderr_is("    Finished 0 installed, 3 unchanged\n");
    sb.run(["list"]).success().stdout_is(&listed(&repo, "ok"));
}

/// A file the install just wrote is recorded without a time stamp: an edit of the same size, even one
/// whose time stamp is then set back, is hashed and seen.
#[test]
fn an_edit_of_the_same_size_right_after_an_install_is_seen() {
    let (repo, sb) = studio_project();
    sb.run(["install"]).success();
    let original = sb.read(UI);
    let edited = original.replace("Designs UIs", "Designs UXs");
    assert_eq!(edited.len(), original.len());
    sb.write(UI, &edited);
    age(&sb, UI);
    sb.run(["list"])
        .success()
        .stdout_is(&listed(&repo, "modified"));
    sb.run(["install"]).success().stderr_is(EDITED);
    assert_eq!(sb.read(UI), edited);
}

/// Deleted, or replaced by a symlink to the same bytes or by a folder: never the no-op short-cut.
#[test]
fn a_file_deleted_or_replaced_after_an_install_is_never_taken_as_unchanged() {
    let (_repo, sb) = studio_project();
    sb.run(["install"]).success();
    let original = sb.read(UI);
    sb.remove(UI);
    sb.run(["install"]).success().stderr_is(
        "   Installed .claude/agents/ui-designer.md from studio:design/ui-designer.md\n    \
         Finished 1 installed, 2 unchanged\n",
    );
    sb.write("elsewhere.md", &original);
    sb.remove(UI);
    sb.symlink(UI, "../../elsewhere.md");
    sb.run(["install"])
        .failure(1)
        .stderr_has("error[unmanaged-file]: `.claude/agents/ui-designer.md` is not a regular file");
    sb.remove(UI);
    sb.mkdir(UI);
    sb.run(["install"])
        .failure(1)
        .stderr_has("error[unmanaged-file]: `.claude/agents/ui-designer.md` is a directory");
}

/// A user's file `--force` replaced is recorded as written: hashed until a later install stamps it.
#[test]
fn a_file_force_replaced_and_then_edited_is_seen() {
    let (repo, sb) = studio_project();
    sb.write(UI, "my own notes\n");
    sb.run(["install"]).failure(1);
    sb.run(["install", "--force"]).success();
    sb.run(["install"])
        .success()
        .stderr_is("    Finished 0 installed, 3 unchanged\n");
    sb.run(["list"]).success().stdout_is(&listed(&repo, "ok"));
    let original = sb.read(UI);
    sb.write(UI, original.replace("Designs UIs", "Designs UXs"));
    age(&sb, UI);
    sb.run(["install"]).success().stderr_is(EDITED);
}
