//! Self-test of the integration-test support code, independent of the `agentpack` binary: real
//! repositories, their publication, the git CLI and libgit2 talking to the loopback servers (git
//! daemon, smart HTTP with and without Basic authentication, injected failures), servers gone
//! after drop, and the sandbox's environment, assertions and snapshots.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::git::{AUTHOR_EMAIL, AUTHOR_NAME, EPOCH};
use crate::support::*;

/// A repository with two commits on `main`, a branch `dev` with one more, a lightweight tag
/// `v1.0.0` (first commit) and an annotated tag `v1.1.0` (second commit); `main` checked out.
struct Studio {
    repo: GitRepo,
    c1: String,
    c2: String,
    dev: String,
}

fn studio() -> Studio {
    let repo = GitRepo::new("studio");
    let c1 = repo
        .file(
            "engineering/backend-architect.md",
            "---\nname: backend-architect\n---\nBody\n",
        )
        .commit("first");
    repo.tag("v1.0.0");
    let c2 = repo
        .file("design/ui.md", "---\nname: ui\n---\n")
        .commit("second");
    repo.annotated_tag("v1.1.0", "release 1.1.0");
    repo.branch("dev").checkout("dev");
    let dev = repo.file("dev-only.md", "dev\n").commit("on dev");
    repo.checkout("main");
    Studio { repo, c1, c2, dev }
}

/// `git ls-remote URL` as a map from ref name to object id (annotated tags also appear peeled,
/// as `refs/tags/NAME^{}`).
#[track_caller]
fn ls_remote(url: &str) -> BTreeMap<String, String> {
    let out = git(&std::env::temp_dir(), ["ls-remote", url]);
    out.lines()
        .map(|line| {
            let (id, name) = line.split_once('\t').expect("ls-remote line");
            (name.to_owned(), id.to_owned())
        })
        .collect()
}

/// Clones `url` with the git CLI into a new temp dir; returns the dir and the clone's path.
#[track_caller]
fn clone(url: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("clone");
    git(tmp.path(), ["clone", "-q", url, dest.to_str().unwrap()]);
    (tmp, dest)
}

fn assert_studio_refs(refs: &BTreeMap<String, String>, s: &Studio) {
    assert_eq!(refs["HEAD"], s.c2, "{refs:#?}");
    assert_eq!(refs["refs/heads/main"], s.c2);
    assert_eq!(refs["refs/heads/dev"], s.dev);
    assert_eq!(refs["refs/tags/v1.0.0"], s.c1);
    assert_eq!(refs["refs/tags/v1.1.0^{}"], s.c2);
    assert_ne!(refs["refs/tags/v1.1.0"], s.c2, "annotated tag object");
}

fn assert_studio_clone(dest: &Path, s: &Studio) {
    assert_eq!(git(dest, ["rev-parse", "HEAD"]), s.c2);
    assert_eq!(
        std::fs::read_to_string(dest.join("engineering/backend-architect.md")).unwrap(),
        "---\nname: backend-architect\n---\nBody\n"
    );
    assert!(!dest.join("dev-only.md").exists());
}

fn is_hex40(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(target_os = "linux")]
fn process_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

// ---------------------------------------------------------------------------------------------
// repositories

#[test]
fn repo_commits_are_reproducible() {
    let a = studio();
    let b = studio();
    assert!(is_hex40(&a.c1) && is_hex40(&a.c2) && is_hex40(&a.dev));
    assert_eq!((&a.c1, &a.c2, &a.dev), (&b.c1, &b.c2, &b.dev));
    assert_ne!(a.c1, a.c2);
    assert_eq!(
        a.repo.git(["rev-parse", "v1.1.0"]),
        b.repo.git(["rev-parse", "v1.1.0"]),
        "annotated tag objects are reproducible too"
    );
    let log = a
        .repo
        .git(["log", "--format=%an <%ae> %at | %cn <%ce> %ct", "main"]);
    let t0 = EPOCH;
    let t1 = EPOCH + 60;
    assert_eq!(
        log,
        format!(
            "{AUTHOR_NAME} <{AUTHOR_EMAIL}> {t1} | {AUTHOR_NAME} <{AUTHOR_EMAIL}> {t1}\n\
             {AUTHOR_NAME} <{AUTHOR_EMAIL}> {t0} | {AUTHOR_NAME} <{AUTHOR_EMAIL}> {t0}"
        )
    );
}

#[test]
fn repo_builder_operations() {
    let s = studio();
    let repo = &s.repo;
    assert_eq!(repo.current_branch(), "main");
    assert_eq!(repo.head(), s.c2);
    assert!(repo.url().starts_with("file:///") && repo.url().ends_with("/studio"));
    assert!(repo.path().join(".git").is_dir());

    // Tags: lightweight vs annotated, peeled by rev_parse.
    assert_eq!(repo.git(["cat-file", "-t", "v1.0.0"]), "commit");
    assert_eq!(repo.git(["cat-file", "-t", "v1.1.0"]), "tag");
    assert_eq!(repo.rev_parse("v1.0.0"), s.c1);
    assert_eq!(repo.rev_parse("v1.1.0"), s.c2);
    repo.move_tag("v1.0.0", &s.c2);
    assert_eq!(repo.rev_parse("v1.0.0"), s.c2);

    // Branches: checkout switches the working tree.
    assert!(!repo.path().join("dev-only.md").exists());
    repo.checkout("dev");
    assert_eq!(repo.current_branch(), "dev");
    assert_eq!(repo.read("dev-only.md"), "dev\n");
    repo.checkout("main");
    assert!(!repo.path().join("dev-only.md").exists());
    repo.branch_at("old", &s.c1);
    assert_eq!(repo.rev_parse("old"), s.c1);
    repo.delete_branch("old").delete_tag("v1.0.0");
    assert!(repo.git(["branch", "--list", "old"]).is_empty());
    assert!(repo.git(["tag", "--list", "v1.0.0"]).is_empty());

    // Symlinks are committed as links (mode 120000) with the verbatim target; removal works.
    repo.symlink("link.md", "../outside.md")
        .remove("design/ui.md");
    let c3 = repo.commit("link, no ui");
    let tree = repo.git(["ls-tree", "-r", &c3]);
    assert!(tree.contains("120000 blob"), "{tree}");
    assert!(!tree.contains("design/ui.md"), "{tree}");
    assert_eq!(
        repo.git(["cat-file", "-p", &format!("{c3}:link.md")]),
        "../outside.md"
    );

    // An empty commit still advances HEAD.
    let c4 = repo.commit("empty");
    assert_ne!(c3, c4);
    assert_eq!(repo.rev_parse("HEAD~1"), c3);

    // Another default branch.
    let trunk = GitRepo::with_branch("other", "trunk");
    trunk.file("x.md", "x").commit("x");
    assert_eq!(trunk.current_branch(), "trunk");
}

#[test]
fn publish_and_clone_over_file_urls() {
    let s = studio();
    let root = tempfile::tempdir().unwrap();
    let bare = s.repo.bare_copy_into(root.path(), "studio");
    assert_eq!(bare, root.path().join("studio.git"));
    assert_eq!(git(&bare, ["rev-parse", "--is-bare-repository"]), "true");

    // Both the working repository and the published bare copy serve the same refs.
    assert_studio_refs(&ls_remote(&s.repo.url()), &s);
    let bare_url = file_url(&bare);
    assert_studio_refs(&ls_remote(&bare_url), &s);
    let (_tmp, dest) = clone(&bare_url);
    assert_studio_clone(&dest, &s);

    // Updating the publication: new commits, moved and deleted refs.
    let c3 = s.repo.file("new.md", "new\n").commit("third");
    s.repo
        .move_tag("v1.0.0", &c3)
        .tag("v2.0.0")
        .delete_branch("dev");
    s.repo.push_to(&bare);
    let refs = ls_remote(&bare_url);
    assert_eq!(refs["refs/heads/main"], c3);
    assert_eq!(refs["refs/tags/v1.0.0"], c3);
    assert_eq!(refs["refs/tags/v2.0.0"], c3);
    assert!(!refs.contains_key("refs/heads/dev"), "{refs:#?}");
    // Publishing again under the same name updates the same bare repository.
    assert_eq!(s.repo.bare_copy_into(root.path(), "studio"), bare);
}

// ---------------------------------------------------------------------------------------------
// git daemon

#[test]
fn git_daemon_serves_and_stops_on_drop() {
    let s = studio();
    let root = tempfile::tempdir().unwrap();
    s.repo.bare_copy_into(root.path(), "studio");
    let daemon = GitDaemon::start(root.path());
    let port = daemon.port();
    let url = daemon.url("studio");
    assert_eq!(url, format!("git://127.0.0.1:{port}/studio.git"));

    assert_studio_refs(&ls_remote(&url), &s);
    let (_tmp, dest) = clone(&url);
    assert_studio_clone(&dest, &s);
    // A repository that does not exist is an error, not a hang.
    let out = try_git(&std::env::temp_dir(), ["ls-remote", &daemon.url("missing")]);
    assert!(!out.status.success());
    assert!(daemon.log().contains("upload-pack"), "{}", daemon.log());

    let pid = daemon.pid();
    drop(daemon);
    assert!(wait_until_closed(port), "port {port} still open after drop");
    #[cfg(target_os = "linux")]
    assert!(!process_exists(pid), "git daemon {pid} still running");
    let _ = pid;
}

/// The daemon is ready when it has bound its port, not when something accepts connections there:
/// on a port held by another listener (as by a process that got the "free" port first), starting
/// fails, and `start` would try another port, instead of handing out a daemon that has died.
#[test]
fn git_daemon_on_a_taken_port_is_not_ready() {
    let root = tempfile::tempdir().unwrap();
    let squatter = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = squatter.local_addr().unwrap().port();
    let log = GitDaemon::start_on(root.path(), port)
        .err()
        .expect("a daemon whose port is taken is not ready");
    assert!(
        log.contains("unable to allocate any listen sockets"),
        "{log}"
    );
    assert!(is_listening(port), "the squatter still holds port {port}");
    drop(squatter);
}

// ---------------------------------------------------------------------------------------------
// smart HTTP with the git CLI

#[test]
fn http_anonymous_clone_and_drop() {
    let s = studio();
    let root = tempfile::tempdir().unwrap();
    s.repo.bare_copy_into(root.path(), "studio");
    let server = HttpGitServer::start(root.path());
    let port = server.port();
    let probe = server.thread_probe();
    assert_eq!(
        server.url("studio"),
        format!("http://127.0.0.1:{port}/studio.git")
    );

    assert_studio_refs(&ls_remote(&server.url("studio")), &s);
    let (_tmp, dest) = clone(&server.url("studio"));
    assert_studio_clone(&dest, &s);

    let requests = server.requests();
    assert!(
        requests.iter().any(|r| r.method == "GET"
            && r.path == "/studio.git/info/refs"
            && r.query == "service=git-upload-pack"
            && r.status == 200),
        "{requests:#?}"
    );
    assert!(
        requests.iter().any(|r| r.method == "POST"
            && r.path == "/studio.git/git-upload-pack"
            && r.status == 200
            && r.body_len > 0),
        "{requests:#?}"
    );
    assert!(requests.iter().all(|r| !r.had_auth()), "{requests:#?}");
    assert!(
        requests
            .iter()
            .any(|r| r.git_protocol.as_deref() == Some("version=2")),
        "the git CLI speaks protocol v2: {requests:#?}"
    );

    // Missing repositories are 404s.
    let out = try_git(&std::env::temp_dir(), ["ls-remote", &server.url("missing")]);
    assert!(!out.status.success());
    assert!(server.requests().iter().any(|r| r.status == 404));

    assert!(probe.live_threads() >= 1);
    drop(server);
    assert_eq!(probe.live_threads(), 0, "server threads still running");
    assert!(wait_until_closed(port), "port {port} still open after drop");
}

#[test]
fn http_basic_auth() {
    let s = studio();
    let root = tempfile::tempdir().unwrap();
    s.repo.bare_copy_into(root.path(), "studio");
    let server = HttpGitServer::builder(root.path())
        .basic_auth("alice", "s3cret")
        .start();
    let tmp = std::env::temp_dir();

    let out = try_git(&tmp, ["ls-remote", &server.url("studio")]);
    assert!(!out.status.success());
    let wrong = server.url_with_credentials("studio", "alice", "wrong");
    let out = try_git(&tmp, ["ls-remote", &wrong]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Authentication failed"), "{stderr}");
    let requests = server.requests();
    assert!(requests.iter().all(|r| r.status == 401), "{requests:#?}");
    assert!(
        requests
            .iter()
            .any(|r| r.basic_credentials() == Some(("alice".into(), "wrong".into()))),
        "{requests:#?}"
    );
    server.clear_requests();

    let right = server.url_with_credentials("studio", "alice", "s3cret");
    assert_studio_refs(&ls_remote(&right), &s);
    let (_tmp, dest) = clone(&right);
    assert_studio_clone(&dest, &s);
    let requests = server.requests();
    let authorized: Vec<_> = requests.iter().filter(|r| r.status == 200).collect();
    assert!(authorized.len() >= 3, "{requests:#?}");
    for r in authorized {
        assert_eq!(
            r.authorization.as_deref(),
            Some(basic_auth_header("alice", "s3cret").as_str())
        );
    }
}

#[test]
fn http_fail_first() {
    let s = studio();
    let root = tempfile::tempdir().unwrap();
    s.repo.bare_copy_into(root.path(), "studio");
    let server = HttpGitServer::builder(root.path()).fail_first(1).start();
    let tmp = std::env::temp_dir();

    let out = try_git(&tmp, ["ls-remote", &server.url("studio")]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("503"), "{stderr}");
    assert_studio_refs(&ls_remote(&server.url("studio")), &s);
    let statuses: Vec<u16> = server.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses[0], 503);
    assert!(statuses[1..].iter().all(|&s| s == 200), "{statuses:?}");
}

// ---------------------------------------------------------------------------------------------
// smart HTTP, by hand: keep-alive, chunked bodies, 100-continue, auth and 503 responses

struct RawResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl RawResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn read_raw_response(reader: &mut impl BufRead) -> RawResponse {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':').unwrap();
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let mut resp = RawResponse {
        status,
        headers,
        body: Vec::new(),
    };
    let len: usize = resp
        .header("Content-Length")
        .map_or(0, |v| v.parse().unwrap());
    resp.body.resize(len, 0);
    reader.read_exact(&mut resp.body).unwrap();
    resp
}

fn pkt(line: &str) -> String {
    format!("{:04x}{line}", line.len() + 4)
}

#[test]
fn http_raw_keep_alive_chunked_and_continue() {
    let s = studio();
    let root = tempfile::tempdir().unwrap();
    s.repo.bare_copy_into(root.path(), "studio");
    let server = HttpGitServer::start(root.path());
    let stream = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);

    // 1. Ref advertisement (protocol v0: no Git-Protocol header).
    write!(
        writer,
        "GET /studio.git/info/refs?service=git-upload-pack HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    .unwrap();
    let resp = read_raw_response(&mut reader);
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("Content-Type"),
        Some("application/x-git-upload-pack-advertisement")
    );
    assert_eq!(resp.header("Connection"), Some("keep-alive"));
    let adv = String::from_utf8_lossy(&resp.body);
    assert!(adv.contains("# service=git-upload-pack"), "{adv}");
    assert!(adv.contains(&format!("{} refs/heads/main", s.c2)), "{adv}");

    // 2. Same connection: a chunked upload-pack request, in small chunks.
    let request = format!("{}0000{}", pkt(&format!("want {}\n", s.c2)), pkt("done\n"));
    let mut chunked = String::new();
    for chunk in request.as_bytes().chunks(7) {
        chunked.push_str(&format!(
            "{:x}\r\n{}\r\n",
            chunk.len(),
            std::str::from_utf8(chunk).unwrap()
        ));
    }
    chunked.push_str("0\r\n\r\n");
    write!(
        writer,
        "POST /studio.git/git-upload-pack HTTP/1.1\r\nHost: x\r\n\
         Content-Type: application/x-git-upload-pack-request\r\n\
         Transfer-Encoding: chunked\r\n\r\n{chunked}"
    )
    .unwrap();
    let resp = read_raw_response(&mut reader);
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    assert_eq!(
        resp.header("Content-Type"),
        Some("application/x-git-upload-pack-result")
    );
    assert!(resp.body.starts_with(b"0008NAK\n"));
    assert!(resp.body.windows(4).any(|w| w == b"PACK"), "no pack data");

    // 3. Same connection: Expect: 100-continue with a Content-Length body.
    write!(
        writer,
        "POST /studio.git/git-upload-pack HTTP/1.1\r\nHost: x\r\n\
         Content-Type: application/x-git-upload-pack-request\r\n\
         Expect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        request.len()
    )
    .unwrap();
    let interim = read_raw_response(&mut reader);
    assert_eq!(interim.status, 100);
    writer.write_all(request.as_bytes()).unwrap();
    let resp = read_raw_response(&mut reader);
    assert_eq!(resp.status, 200);
    assert!(resp.body.starts_with(b"0008NAK\n"));

    // 4. Connection: close is honoured.
    write!(
        writer,
        "GET /studio.git/HEAD HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let resp = read_raw_response(&mut reader);
    assert_eq!(resp.status, 200);
    assert_eq!(resp.body, b"ref: refs/heads/main\n");
    assert_eq!(resp.header("Connection"), Some("close"));
    let mut rest = Vec::new();
    assert_eq!(
        reader.read_to_end(&mut rest).unwrap(),
        0,
        "connection closed"
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 4, "{requests:#?}");
    assert!(!requests[0].chunked);
    assert!(requests[1].chunked);
    assert_eq!(requests[1].body_len, request.len());
    assert!(!requests[2].chunked);
    assert_eq!(requests[2].body_len, request.len());
}

#[test]
fn http_raw_auth_and_injected_failures() {
    let s = studio();
    let root = tempfile::tempdir().unwrap();
    s.repo.bare_copy_into(root.path(), "studio");
    let server = HttpGitServer::builder(root.path())
        .basic_auth("x-access-token", "tok")
        .fail_first(1)
        .start();
    let stream = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let get = |auth: &str| {
        format!(
            "GET /studio.git/info/refs?service=git-upload-pack HTTP/1.1\r\nHost: x\r\n{auth}\r\n"
        )
    };
    let good = format!(
        "Authorization: {}\r\n",
        basic_auth_header("x-access-token", "tok")
    );

    // fail_first applies before authentication; the connection stays usable.
    write!(writer, "{}", get(&good)).unwrap();
    assert_eq!(read_raw_response(&mut reader).status, 503);
    write!(writer, "{}", get("")).unwrap();
    let resp = read_raw_response(&mut reader);
    assert_eq!(resp.status, 401);
    assert_eq!(
        resp.header("WWW-Authenticate"),
        Some("Basic realm=\"agentpack-test\"")
    );
    // A rejected POST's body is drained, keeping the connection in sync.
    write!(
        writer,
        "POST /studio.git/git-upload-pack HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
    )
    .unwrap();
    assert_eq!(read_raw_response(&mut reader).status, 401);
    write!(writer, "{}", get(&good)).unwrap();
    assert_eq!(read_raw_response(&mut reader).status, 200);

    let requests = server.requests();
    let seen: Vec<(u16, bool)> = requests.iter().map(|r| (r.status, r.had_auth())).collect();
    assert_eq!(seen, [(503, true), (401, false), (401, false), (200, true)]);
    assert_eq!(
        requests[3].basic_credentials(),
        Some(("x-access-token".into(), "tok".into()))
    );
}

// ---------------------------------------------------------------------------------------------
// libgit2 (the library the product uses) against the servers

fn git2_fetch(
    url: &str,
    callbacks: Option<git2::RemoteCallbacks<'_>>,
) -> Result<Fetched, git2::Error> {
    isolate_git2();
    let tmp = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init_bare(tmp.path().join("fetch.git"))?;
    {
        let mut remote = repo.remote_anonymous(url)?;
        let mut opts = git2::FetchOptions::new();
        if let Some(callbacks) = callbacks {
            opts.remote_callbacks(callbacks);
        }
        remote.fetch(
            &[
                "+refs/heads/*:refs/remotes/origin/*",
                "+refs/tags/*:refs/tags/*",
            ],
            Some(&mut opts),
            None,
        )?;
    }
    Ok(Fetched { repo, _tmp: tmp })
}

/// A bare repository fetched into by libgit2, deleted with its temp dir on drop.
struct Fetched {
    repo: git2::Repository,
    _tmp: tempfile::TempDir,
}

fn assert_git2_fetched(fetched: &Fetched, s: &Studio) {
    let repo = &fetched.repo;
    let id = |name: &str| {
        repo.revparse_single(name)
            .unwrap()
            .peel_to_commit()
            .unwrap()
            .id()
            .to_string()
    };
    assert_eq!(id("refs/remotes/origin/main"), s.c2);
    assert_eq!(id("refs/remotes/origin/dev"), s.dev);
    assert_eq!(id("refs/tags/v1.0.0"), s.c1);
    assert_eq!(id("refs/tags/v1.1.0"), s.c2);
}

/// Credentials for libgit2, offered at most `max` times (libgit2 asks again after each 401).
fn userpass_callbacks(
    user: &'static str,
    password: &'static str,
    max: usize,
) -> git2::RemoteCallbacks<'static> {
    let mut asked = 0;
    let mut callbacks = git2::RemoteCallbacks::new();
    callbacks.credentials(move |_url, _user, _allowed| {
        asked += 1;
        if asked > max {
            return Err(git2::Error::from_str("no more credentials"));
        }
        git2::Cred::userpass_plaintext(user, password)
    });
    callbacks
}

#[test]
fn libgit2_fetches_over_http_and_daemon() {
    let s = studio();
    let root = tempfile::tempdir().unwrap();
    s.repo.bare_copy_into(root.path(), "studio");

    let http = HttpGitServer::start(root.path());
    let repo = git2_fetch(&http.url("studio"), None).expect("libgit2 fetch over HTTP");
    assert_git2_fetched(&repo, &s);
    let requests = http.requests();
    assert!(
        requests.iter().any(|r| r.method == "POST"
            && r.path == "/studio.git/git-upload-pack"
            && r.status == 200
            && r.user_agent
                .as_deref()
                .is_some_and(|ua| ua.contains("libgit2"))),
        "{requests:#?}"
    );

    let daemon = GitDaemon::start(root.path());
    let repo = git2_fetch(&daemon.url("studio"), None).expect("libgit2 fetch over git://");
    assert_git2_fetched(&repo, &s);

    let err = git2_fetch(&http.url("missing"), None)
        .err()
        .expect("missing repo fails");
    assert!(err.message().contains("404"), "{err}");
}

#[test]
fn libgit2_basic_auth_and_chunked_push_over_http() {
    let s = studio();
    let root = tempfile::tempdir().unwrap();
    let bare = s.repo.bare_copy_into(root.path(), "studio");
    let server = HttpGitServer::builder(root.path())
        .basic_auth("alice", "s3cret")
        .start();
    let url = server.url("studio");

    let err = git2_fetch(&url, Some(userpass_callbacks("alice", "wrong", 2)))
        .err()
        .expect("wrong password fails");
    assert!(
        err.message().contains("no more credentials") || err.message().contains("401"),
        "{err}"
    );
    let repo = git2_fetch(&url, Some(userpass_callbacks("alice", "s3cret", 1))).expect("fetch");
    assert_git2_fetched(&repo, &s);

    // Push a commit with enough content that libgit2 streams the pack (chunked encoding).
    server.clear_requests();
    let big: String = (0..20_000).map(|i| format!("line {i}\n")).collect();
    let c3 = s.repo.file("big.md", &big).commit("big");
    isolate_git2();
    let local = git2::Repository::open(s.repo.path()).unwrap();
    let mut remote = local.remote_anonymous(&url).unwrap();
    let mut opts = git2::PushOptions::new();
    let mut callbacks = userpass_callbacks("alice", "s3cret", 1);
    callbacks.push_update_reference(|name, status| match status {
        None => Ok(()),
        Some(msg) => Err(git2::Error::from_str(&format!("{name} rejected: {msg}"))),
    });
    opts.remote_callbacks(callbacks);
    remote
        .push(&["refs/heads/main:refs/heads/main"], Some(&mut opts))
        .expect("libgit2 push over HTTP");
    assert_eq!(git(&bare, ["rev-parse", "main"]), c3);
    let requests = server.requests();
    let push = requests
        .iter()
        .find(|r| r.method == "POST" && r.path == "/studio.git/git-receive-pack")
        .unwrap_or_else(|| panic!("{requests:#?}"));
    assert_eq!(push.status, 200);
    assert!(push.chunked, "{push:#?}");
    assert!(push.body_len > 1000, "{push:#?}");
}

// ---------------------------------------------------------------------------------------------
// silent server, closed port

#[test]
fn silent_server_and_closed_port() {
    let server = SilentServer::start();
    let port = server.port();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut buf = [0u8; 16];
    let err = stream
        .read(&mut buf)
        .expect_err("the silent server never answers");
    assert!(
        matches!(
            err.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "{err:?}"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.connections() < 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(server.connections(), 1);
    assert_eq!(
        server.http_url("a"),
        format!("http://127.0.0.1:{port}/a.git")
    );

    drop(server);
    assert!(
        wait_until_closed(port),
        "silent server port {port} still open"
    );
    // Held connections are closed on drop.
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    match stream.read(&mut buf) {
        Ok(0) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        other => panic!("held connection not closed on drop: {other:?}"),
    }

    let port = closed_port();
    let err = TcpStream::connect(("127.0.0.1", port)).expect_err("nothing listens");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
}

// ---------------------------------------------------------------------------------------------
// sandbox

#[test]
fn sandbox_layout_and_environment() {
    let sb = Sandbox::new();
    for dir in [sb.home(), sb.cache(), sb.config(), sb.project()] {
        assert!(dir.is_dir(), "{}", dir.display());
        assert_eq!(dir.parent().unwrap(), sb.root());
    }
    let program = sb.cmd(["--version"]).get_program().to_owned();
    assert!(
        Path::new(&program)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("agentpack"),
        "{program:?}"
    );

    let out = Outcome::of(sb.command("env", Vec::<&str>::new())).success();
    let env: BTreeMap<&str, &str> = out
        .stdout()
        .lines()
        .filter_map(|l| l.split_once('='))
        .collect();
    let home = sb.home();
    let expected = BTreeMap::from([
        (
            "AGENTPACK_CACHE_DIR",
            sb.cache().to_str().unwrap().to_owned(),
        ),
        ("GIT_CONFIG_NOSYSTEM", "1".to_owned()),
        ("GIT_TERMINAL_PROMPT", "0".to_owned()),
        ("HOME", home.to_str().unwrap().to_owned()),
        ("NO_COLOR", "1".to_owned()),
        (
            "XDG_CACHE_HOME",
            sb.xdg_cache().to_str().unwrap().to_owned(),
        ),
        ("XDG_CONFIG_HOME", sb.config().to_str().unwrap().to_owned()),
    ]);
    let mut actual: BTreeMap<&str, String> = env
        .iter()
        .filter(|(k, _)| !matches!(**k, "PATH" | "LLVM_PROFILE_FILE" | "PWD" | "_" | "SHLVL"))
        .map(|(k, v)| (*k, v.to_string()))
        .collect();
    actual.retain(|k, _| !k.is_empty());
    assert_eq!(
        actual, expected,
        "nothing else may leak into the environment"
    );

    // Working directory is project/, stdin is empty (EOF, no hang).
    let out = Outcome::of(sb.command("sh", ["-c", "pwd -P; cat; echo done"])).success();
    let project = sb.project().canonicalize().unwrap();
    assert_eq!(out.stdout(), format!("{}\ndone\n", project.display()));
}

#[test]
fn outcome_assertions_print_everything_on_failure() {
    let sb = Sandbox::new();
    let run = || Outcome::of(sb.command("sh", ["-c", "echo out-text; echo err-text >&2; exit 3"]));
    run()
        .failure(3)
        .stdout_is("out-text\n")
        .stderr_is("err-text\n")
        .stdout_has("out")
        .stderr_has("err")
        .stdout_lacks("err-text")
        .stderr_lacks("out-text")
        .stdout_matches(predicates::str::starts_with("out"))
        .stderr_matches(predicates::str::is_match("^err-[a-z]+\n$").unwrap());
    assert_eq!(run().code(), Some(3));

    let message = |f: fn(Outcome) -> Outcome| {
        let outcome = run();
        let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(outcome)))
            .expect_err("the assertion must fail");
        err.downcast_ref::<String>().cloned().unwrap_or_default()
    };
    for msg in [
        message(|o| o.success()),
        message(|o| o.failure(1)),
        message(|o| o.stdout_has("nope")),
        message(|o| o.stderr_is("")),
        message(|o| o.stdout_lacks("out")),
    ] {
        assert!(msg.contains("sh -c"), "{msg}");
        assert!(msg.contains("exit code 3"), "{msg}");
        assert!(
            msg.contains("out-text") && msg.contains("err-text"),
            "{msg}"
        );
    }

    let json = Outcome::of(sb.command("echo", [r#"{"a": [1, 2]}"#])).success();
    assert_eq!(json.stdout_json()["a"][1], 2);
}

#[test]
fn sandbox_files_and_snapshots() {
    let sb = Sandbox::new();
    sb.write("agentpack.toml", "x = 1\n")
        .write(".claude/agents/a.md", "A")
        .mkdir("empty/dir")
        .symlink(".claude/agents/link.md", "../../outside.md");
    assert!(sb.exists("agentpack.toml"));
    assert!(
        sb.exists(".claude/agents/link.md"),
        "dangling symlinks exist"
    );
    assert!(!sb.exists("agentpack.lock"));
    assert_eq!(sb.read("agentpack.toml"), "x = 1\n");
    assert_eq!(sb.read_bytes(".claude/agents/a.md"), b"A");

    let snap = sb.snapshot(".");
    let expected: BTreeMap<String, Vec<u8>> = [
        (".claude/agents/a.md", &b"A"[..]),
        (".claude/agents/link.md", b"-> ../../outside.md"),
        ("agentpack.toml", b"x = 1\n"),
        ("empty/dir/", b""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_vec()))
    .collect();
    assert_eq!(snap, expected);
    assert_eq!(
        sb.snapshot(".claude/agents").keys().collect::<Vec<_>>(),
        ["a.md", "link.md"]
    );
    assert!(sb.snapshot("missing").is_empty());
    assert_tree_eq(&snap, &sb.snapshot("."));

    sb.write("agentpack.toml", "x = 2\n")
        .write("new.md", "N")
        .remove("empty");
    let after = sb.snapshot(".");
    let err = std::panic::catch_unwind(|| assert_tree_eq(&snap, &after)).expect_err("trees differ");
    let msg = err.downcast_ref::<String>().unwrap();
    assert!(msg.contains("+ new.md"), "{msg}");
    assert!(msg.contains("~ agentpack.toml"), "{msg}");
    assert!(msg.contains("x = 2"), "{msg}");
    assert!(msg.contains("- empty/dir/"), "{msg}");
}

#[test]
fn redact_replaces_only_what_varies_between_runs() {
    let tmp = std::env::temp_dir();
    let tmp = tmp.to_str().unwrap().trim_end_matches('/');
    let pack = "d55895cc8abdd2fd9402835c64e23aed84c7815c";
    let text = format!(
        "`{tmp}/agentpack-sandbox-AbC123/project` file://{tmp}/agentpack-repo-x1y2z3/studio \
         {tmp}/.tmpQwErTy/a {tmp}/.tmpshort/b git://127.0.0.1:41234/x.git 127.0.0.1: \
         Retrying s in 0.7 s (in 2 of 3 tries) `{tmp}/x/cache/git/db/src-0123456789abcdef` \
         pack-{pack}.pack review-pack-1 at 4a317dc\n"
    );
    assert_eq!(
        redact(&text),
        format!(
            "`[SANDBOX]/project` file://[REPO]/studio [TMP]/a {tmp}/.tmpshort/b \
             git://127.0.0.1:[PORT]/x.git 127.0.0.1: Retrying s in [DELAY] s (in 2 of 3 tries) \
             `{tmp}/x/cache/git/db/src-[HASH]` pack-[HASH].pack review-pack-1 at 4a317dc\n"
        )
    );
}
