//! Loopback git servers started by the tests, stopped on drop (also when a test panics).
//!
//! - [`GitDaemon`]: the real `git daemon` serving every bare repository under a root directory
//!   over `git://127.0.0.1:PORT/<name>.git`.
//! - [`HttpGitServer`]: smart HTTP. A small HTTP/1.1 server (keep-alive, `Content-Length` and
//!   `chunked` request bodies, `Expect: 100-continue`) that runs `git http-backend` as a CGI per
//!   request; optional Basic authentication, injected `503`s and a log of the requests it saw.
//! - [`SilentServer`]: accepts TCP connections and never answers (timeouts).
//! - [`closed_port`]: a port with nothing listening (connection refused).
//!
//! Publish repositories into the served root with [`super::GitRepo::bare_copy_into`].
//!
//! Start-up: [`HttpGitServer`] and [`SilentServer`] bind their listener (port 0) in the test
//! process before `start` returns, so they accept connections from the first moment. The daemon
//! is another process that must bind a port we picked: it is ready only once it says so in its
//! log (see [`GitDaemon::start_on`]).

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::git;

/// How long a server may take to start listening.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(10);
/// How long an idle keep-alive connection of [`HttpGitServer`] is kept open.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// A port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// A port on 127.0.0.1 with nothing listening: connecting is refused.
///
/// The port is taken from 20000..30000, below Linux's ephemeral range (32768..60999), where
/// neither the servers of the tests (which bind port 0) nor client sockets get their ports, and
/// is checked to refuse connections. (A port obtained by binding and releasing a listener would
/// not do: a child forked by another test thread at that moment can keep the listener open until
/// it execs, so connecting may briefly succeed.)
pub fn closed_port() -> u16 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos() as u64
        + u64::from(std::process::id()) * 7919;
    for _ in 0..100 {
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let port = 20_000 + ((seed + n * 104_729) % 10_000) as u16;
        if !is_listening(port) {
            return port;
        }
    }
    panic!("no closed port found in 20000..30000");
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
pub fn is_listening(port: u16) -> bool {
    TcpStream::connect_timeout(
        &SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(500),
    )
    .is_ok()
}

/// Waits (up to 5 s) until nothing accepts connections on 127.0.0.1:`port`; returns whether
/// that happened. Right after a server is dropped its listening socket may live on for a few
/// milliseconds in a child process forked (not yet exec'd) by another test thread, so "the port
/// is closed" must be checked with this rather than one `!is_listening(port)`.
pub fn wait_until_closed(port: u16) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if !is_listening(port) {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

// ---------------------------------------------------------------------------------------------
// git daemon

/// `git daemon --export-all` serving the bare repositories under a root directory.
pub struct GitDaemon {
    child: Child,
    port: u16,
    log: tempfile::NamedTempFile,
}

/// What `git daemon --verbose` logs once it has bound its listening socket (git's own test suite,
/// `t/lib-git-daemon.sh`, waits for the same line). A daemon that cannot bind dies instead, with
/// "unable to allocate any listen sockets".
const DAEMON_READY: &str = "Ready to rumble";

impl GitDaemon {
    /// Starts the daemon on a free port of 127.0.0.1 and waits until it is listening (retrying
    /// with another port if the chosen one was taken in the meantime).
    pub fn start(root: &Path) -> GitDaemon {
        let mut last_log = String::new();
        for _attempt in 0..10 {
            let port = free_port();
            match GitDaemon::start_on(root, port) {
                Ok(daemon) => return daemon,
                Err(log) => {
                    eprintln!("git daemon could not listen on port {port}; retrying\n{log}");
                    last_log = log;
                }
            }
        }
        panic!("could not start git daemon\n{last_log}");
    }

    /// Starts the daemon on `port` and waits until it has bound it, i.e. until it logs
    /// [`DAEMON_READY`]; `Err(log)` if it exits first (the port is taken).
    ///
    /// "Something accepts connections on the port" is no proof that the daemon listens: the port
    /// may be held by another process that got it in the meantime, or by a child that another
    /// test thread forked (and has not exec'd yet) while [`free_port`]'s listener was open. The
    /// daemon then fails to bind and exits, and clients get "connection refused".
    pub fn start_on(root: &Path, port: u16) -> Result<GitDaemon, String> {
        let log = tempfile::NamedTempFile::new().expect("create the git daemon log");
        let mut cmd = Command::new(git::helper("git-daemon"));
        git::isolate(&mut cmd)
            .arg("--reuseaddr")
            .arg("--export-all")
            .arg("--verbose")
            .arg("--informative-errors")
            .arg(format!("--base-path={}", root.display()))
            .arg("--listen=127.0.0.1")
            .arg(format!("--port={port}"))
            .arg(root)
            .current_dir(root)
            .stdout(Stdio::null())
            .stderr(log.reopen().expect("reopen the git daemon log"));
        let child = cmd.spawn().expect("spawn git daemon");
        let mut daemon = GitDaemon { child, port, log };
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            // Read the log before asking whether the daemon still runs: a daemon that logged it
            // was ready and is still running has bound the port.
            let ready = daemon.log().contains(DAEMON_READY);
            if let Some(status) = daemon.child.try_wait().unwrap() {
                return Err(format!("git daemon exited ({status})\n{}", daemon.log()));
            }
            if ready {
                return Ok(daemon);
            }
            if Instant::now() > deadline {
                panic!(
                    "git daemon did not start listening on port {port}\n{}",
                    daemon.log()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Process id of the daemon.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `git://127.0.0.1:PORT/<name>.git`.
    pub fn url(&self, name: &str) -> String {
        format!("git://127.0.0.1:{}/{name}.git", self.port)
    }

    /// What the daemon wrote to stderr so far (`--verbose`: one line per request).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// smart HTTP

/// One request seen by an [`HttpGitServer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// The path, e.g. `/studio.git/info/refs`.
    pub path: String,
    /// The query string without `?` (empty if none), e.g. `service=git-upload-pack`.
    pub query: String,
    /// The raw `Authorization` header, if any.
    pub authorization: Option<String>,
    pub user_agent: Option<String>,
    /// The `Git-Protocol` header, if any (`version=2` from recent git clients).
    pub git_protocol: Option<String>,
    /// Whether the body was sent with `Transfer-Encoding: chunked`.
    pub chunked: bool,
    /// Length of the (decoded) request body; 0 if the request was rejected before reading it.
    pub body_len: usize,
    /// The status code the server answered.
    pub status: u16,
}

impl RecordedRequest {
    /// Whether an `Authorization` header was present.
    pub fn had_auth(&self) -> bool {
        self.authorization.is_some()
    }

    /// The user and password of a `Basic` `Authorization` header.
    pub fn basic_credentials(&self) -> Option<(String, String)> {
        parse_basic(self.authorization.as_deref()?)
    }
}

/// Configures an [`HttpGitServer`]; see [`HttpGitServer::builder`].
pub struct HttpGitServerBuilder {
    root: PathBuf,
    auth: Option<(String, String)>,
    fail_first: usize,
}

impl HttpGitServerBuilder {
    /// Requires `Authorization: Basic base64(user:password)`; other requests get `401` with
    /// `WWW-Authenticate: Basic realm="agentpack-test"`.
    pub fn basic_auth(mut self, user: &str, password: &str) -> Self {
        self.auth = Some((user.to_owned(), password.to_owned()));
        self
    }

    /// Answers the first `n` requests (counted from the start, whatever they are) with
    /// `503 Service Unavailable`.
    pub fn fail_first(mut self, n: usize) -> Self {
        self.fail_first = n;
        self
    }

    pub fn start(self) -> HttpGitServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let live_threads = Arc::new(AtomicUsize::new(0));
        let shared = Arc::new(Shared {
            root: self.root,
            auth: self.auth,
            fail_first: self.fail_first,
            counter: AtomicUsize::new(0),
            requests: Mutex::new(Vec::new()),
            backend_log: Mutex::new(String::new()),
            shutdown: AtomicBool::new(false),
            conns: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(0),
            live_threads: live_threads.clone(),
            port: addr.port(),
        });
        let accept_shared = shared.clone();
        let guard = ThreadGuard::new(&live_threads);
        let accept_thread = std::thread::Builder::new()
            .name(format!("http-git-accept-{}", addr.port()))
            .spawn(move || {
                let _guard = guard;
                accept_loop(listener, accept_shared)
            })
            .expect("spawn the accept thread");
        HttpGitServer {
            addr,
            shared,
            accept_thread: Some(accept_thread),
        }
    }
}

/// A smart-HTTP git server on 127.0.0.1 backed by `git http-backend`.
pub struct HttpGitServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_thread: Option<JoinHandle<Vec<JoinHandle<()>>>>,
}

impl HttpGitServer {
    /// An anonymous server for the bare repositories under `root`.
    pub fn start(root: &Path) -> HttpGitServer {
        HttpGitServer::builder(root).start()
    }

    pub fn builder(root: &Path) -> HttpGitServerBuilder {
        HttpGitServerBuilder {
            root: root.to_owned(),
            auth: None,
            fail_first: 0,
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT/<name>.git`.
    pub fn url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}/{name}.git", self.addr.port())
    }

    /// `http://USER:PASSWORD@127.0.0.1:PORT/<name>.git` (no escaping: keep credentials simple).
    pub fn url_with_credentials(&self, name: &str, user: &str, password: &str) -> String {
        format!(
            "http://{user}:{password}@127.0.0.1:{}/{name}.git",
            self.addr.port()
        )
    }

    /// The requests seen so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Forgets the requests seen so far.
    pub fn clear_requests(&self) {
        self.shared.requests.lock().unwrap().clear();
    }

    /// What `git http-backend` wrote to stderr so far.
    pub fn backend_log(&self) -> String {
        self.shared.backend_log.lock().unwrap().clone()
    }

    /// A handle that outlives the server and counts its live threads (accept loop and
    /// connections): 0 once the server has been dropped.
    pub fn thread_probe(&self) -> ThreadProbe {
        ThreadProbe(self.shared.live_threads.clone())
    }
}

impl Drop for HttpGitServer {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        // Wake the accept loop up; it sees the flag, stops, and closes the listener.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        let handles = self
            .accept_thread
            .take()
            .map(|t| t.join().unwrap_or_default())
            .unwrap_or_default();
        // Unblock connection threads waiting for the next request, then wait for them.
        for stream in self.shared.conns.lock().unwrap().values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        for handle in handles {
            let _ = handle.join();
        }
    }
}

/// Counts the live threads of a server; see [`HttpGitServer::thread_probe`].
#[derive(Clone)]
pub struct ThreadProbe(Arc<AtomicUsize>);

impl ThreadProbe {
    pub fn live_threads(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// Increments a live-thread counter while alive (created before the thread is spawned, so the
/// count never misses a thread that has not started yet).
struct ThreadGuard(Arc<AtomicUsize>);

impl ThreadGuard {
    fn new(counter: &Arc<AtomicUsize>) -> ThreadGuard {
        counter.fetch_add(1, Ordering::SeqCst);
        ThreadGuard(counter.clone())
    }
}

impl Drop for ThreadGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Shared {
    root: PathBuf,
    auth: Option<(String, String)>,
    fail_first: usize,
    counter: AtomicUsize,
    requests: Mutex<Vec<RecordedRequest>>,
    backend_log: Mutex<String>,
    shutdown: AtomicBool,
    /// Clones of the open connections, to shut them down on drop.
    conns: Mutex<HashMap<u64, TcpStream>>,
    next_conn: AtomicU64,
    live_threads: Arc<AtomicUsize>,
    port: u16,
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) -> Vec<JoinHandle<()>> {
    let mut handles: Vec<JoinHandle<()>> = Vec::new();
    for stream in listener.incoming() {
        if shared.shutdown.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        handles.retain(|h| !h.is_finished());
        let id = shared.next_conn.fetch_add(1, Ordering::SeqCst);
        if let Ok(clone) = stream.try_clone() {
            shared.conns.lock().unwrap().insert(id, clone);
        }
        let conn_shared = shared.clone();
        let guard = ThreadGuard::new(&shared.live_threads);
        let spawned = std::thread::Builder::new()
            .name(format!("http-git-conn-{}-{id}", shared.port))
            .spawn(move || {
                let _guard = guard;
                let peer = stream
                    .peer_addr()
                    .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
                // Errors just end the connection (the client went away, or the server stops).
                let _ = serve_connection(stream, peer, &conn_shared);
                conn_shared.conns.lock().unwrap().remove(&id);
            });
        match spawned {
            Ok(handle) => handles.push(handle),
            Err(_) => {
                shared.conns.lock().unwrap().remove(&id);
            }
        }
    }
    handles
}

struct Request {
    method: String,
    path: String,
    query: String,
    version: String,
    headers: Vec<(String, String)>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn is_chunked(&self) -> bool {
        self.header("Transfer-Encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    }

    fn has_body(&self) -> bool {
        self.is_chunked() || self.header("Content-Length").is_some()
    }

    fn keep_alive(&self) -> bool {
        let connection = self.header("Connection").unwrap_or("").to_ascii_lowercase();
        if self.version == "HTTP/1.0" {
            connection.contains("keep-alive")
        } else {
            !connection.contains("close")
        }
    }
}

struct Response {
    status: u16,
    reason: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn text(status: u16, reason: &str, body: &str) -> Response {
        Response {
            status,
            reason: reason.to_owned(),
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: body.as_bytes().to_vec(),
        }
    }
}

fn serve_connection(stream: TcpStream, peer: SocketAddr, shared: &Shared) -> io::Result<()> {
    stream.set_read_timeout(Some(IDLE_TIMEOUT))?;
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let Some(req) = read_request_head(&mut reader)? else {
            return Ok(());
        };
        if shared.shutdown.load(Ordering::SeqCst) {
            return Ok(());
        }
        let expect_continue = req
            .header("Expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
        let n = shared.counter.fetch_add(1, Ordering::SeqCst);
        let user = shared.auth.as_ref().and_then(|(user, password)| {
            let (u, p) = parse_basic(req.header("Authorization")?)?;
            (u == *user && p == *password).then_some(u)
        });
        let rejection = if n < shared.fail_first {
            Some(Response::text(
                503,
                "Service Unavailable",
                "injected failure (fail_first)\n",
            ))
        } else if shared.auth.is_some() && user.is_none() {
            let mut resp = Response::text(401, "Unauthorized", "authentication required\n");
            resp.headers.push((
                "WWW-Authenticate".into(),
                "Basic realm=\"agentpack-test\"".into(),
            ));
            Some(resp)
        } else {
            None
        };

        let mut keep_alive = req.keep_alive();
        let mut body = Vec::new();
        let response = match rejection {
            Some(resp) => {
                if expect_continue {
                    // The client waits for `100 Continue` before sending the body: answer
                    // without reading it, then close the connection.
                    keep_alive = false;
                } else {
                    body = read_body(&mut reader, &req)?;
                }
                resp
            }
            None => {
                if expect_continue {
                    writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
                    writer.flush()?;
                }
                body = read_body(&mut reader, &req)?;
                run_backend(shared, &req, &body, user.as_deref(), peer)
            }
        };
        shared.requests.lock().unwrap().push(RecordedRequest {
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            authorization: req.header("Authorization").map(str::to_owned),
            user_agent: req.header("User-Agent").map(str::to_owned),
            git_protocol: req.header("Git-Protocol").map(str::to_owned),
            chunked: req.is_chunked(),
            body_len: body.len(),
            status: response.status,
        });
        write_response(&mut writer, &req, &response, keep_alive)?;
        if !keep_alive {
            lingering_close(&mut reader, &writer);
            return Ok(());
        }
    }
}

/// Half-closes, then reads (briefly) what the client still sends, so that closing the socket
/// with unread data does not reset the connection before the client has read our response.
fn lingering_close(reader: &mut BufReader<TcpStream>, writer: &TcpStream) {
    let _ = writer.shutdown(Shutdown::Write);
    let _ = writer.set_read_timeout(Some(Duration::from_millis(200)));
    let mut sink = [0u8; 8192];
    let deadline = Instant::now() + Duration::from_secs(1);
    while Instant::now() < deadline {
        match reader.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
}

/// Reads a request line and headers; `None` on a clean end of stream before a request.
fn read_request_head(reader: &mut BufReader<TcpStream>) -> io::Result<Option<Request>> {
    let mut line = String::new();
    // Skip empty lines between requests (tolerated by RFC 9112).
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        if !line.trim().is_empty() {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("bad request line {line:?}"),
        ));
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut req = Request {
        method: method.to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        version: version.to_owned(),
        headers: Vec::new(),
    };
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            return Ok(Some(req));
        }
        if let Some((name, value)) = header.split_once(':') {
            req.headers
                .push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
}

/// Reads the request body: chunked (decoded) or `Content-Length` bytes, else nothing.
fn read_body(reader: &mut BufReader<TcpStream>, req: &Request) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    if req.is_chunked() {
        let mut line = String::new();
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size_text = line.trim().split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_text, 16).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("bad chunk size {line:?}"),
                )
            })?;
            if size == 0 {
                // Trailers, up to an empty line.
                loop {
                    line.clear();
                    if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
                        return Ok(body);
                    }
                }
            }
            let start = body.len();
            body.resize(start + size, 0);
            reader.read_exact(&mut body[start..])?;
            line.clear();
            reader.read_line(&mut line)?; // the CRLF after the chunk data
        }
    } else if let Some(len) = req.header("Content-Length") {
        let len: usize = len
            .parse()
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad Content-Length"))?;
        body.resize(len, 0);
        reader.read_exact(&mut body)?;
    }
    Ok(body)
}

fn write_response(
    writer: &mut TcpStream,
    req: &Request,
    resp: &Response,
    keep_alive: bool,
) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, resp.reason);
    for (name, value) in &resp.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n", resp.body.len()));
    head.push_str(if keep_alive {
        "Connection: keep-alive\r\n\r\n"
    } else {
        "Connection: close\r\n\r\n"
    });
    let mut out = head.into_bytes();
    if req.method != "HEAD" {
        out.extend_from_slice(&resp.body);
    }
    writer.write_all(&out)?;
    writer.flush()
}

/// Runs `git http-backend` as a CGI for one request and turns its output into a response.
fn run_backend(
    shared: &Shared,
    req: &Request,
    body: &[u8],
    user: Option<&str>,
    peer: SocketAddr,
) -> Response {
    let mut cmd = Command::new(git::helper("git-http-backend"));
    git::isolate(&mut cmd)
        .env("GIT_PROJECT_ROOT", &shared.root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GATEWAY_INTERFACE", "CGI/1.1")
        .env("SERVER_PROTOCOL", "HTTP/1.1")
        .env("SERVER_SOFTWARE", "agentpack-test")
        .env("SERVER_NAME", "127.0.0.1")
        .env("SERVER_PORT", shared.port.to_string())
        .env("REQUEST_METHOD", &req.method)
        .env("PATH_INFO", percent_decode(&req.path))
        .env("QUERY_STRING", &req.query)
        .env("REMOTE_ADDR", peer.ip().to_string())
        .env("CONTENT_TYPE", req.header("Content-Type").unwrap_or(""))
        .current_dir(&shared.root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if req.has_body() {
        cmd.env("CONTENT_LENGTH", body.len().to_string());
    }
    if let Some(user) = user {
        cmd.env("REMOTE_USER", user).env("AUTH_TYPE", "Basic");
    }
    if let Some(protocol) = req.header("Git-Protocol") {
        cmd.env("GIT_PROTOCOL", protocol);
    }
    for (name, value) in &req.headers {
        let lower = name.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "content-type"
                | "content-length"
                | "transfer-encoding"
                | "authorization"
                | "connection"
        ) {
            continue;
        }
        // e.g. Content-Encoding: gzip -> HTTP_CONTENT_ENCODING, which http-backend honours.
        let var = format!("HTTP_{}", name.to_ascii_uppercase().replace('-', "_"));
        cmd.env(var, value);
    }
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => {
            return Response::text(500, "Internal Server Error", &format!("spawn: {e}\n"));
        }
    };
    let mut stdin = child.stdin.take().unwrap();
    let input = body.to_vec();
    let writer = std::thread::spawn(move || {
        // The backend may stop reading early (e.g. on a bad request): ignore broken pipes.
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output();
    let _ = writer.join();
    let output = match output {
        Ok(output) => output,
        Err(e) => return Response::text(500, "Internal Server Error", &format!("wait: {e}\n")),
    };
    if !output.stderr.is_empty() {
        let mut log = shared.backend_log.lock().unwrap();
        log.push_str(&format!("{} {}: ", req.method, req.path));
        log.push_str(&String::from_utf8_lossy(&output.stderr));
    }
    parse_cgi_output(&output.stdout).unwrap_or_else(|| {
        Response::text(
            500,
            "Internal Server Error",
            &format!(
                "git http-backend gave no CGI response ({}):\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ),
        )
    })
}

/// Splits CGI output into headers (with the `Status:` pseudo-header) and body.
fn parse_cgi_output(out: &[u8]) -> Option<Response> {
    let (head_len, sep_len) = find(out, b"\r\n\r\n")
        .map(|i| (i, 4))
        .or_else(|| find(out, b"\n\n").map(|i| (i, 2)))?;
    let head = std::str::from_utf8(&out[..head_len]).ok()?;
    let mut resp = Response {
        status: 200,
        reason: "OK".into(),
        headers: Vec::new(),
        body: out[head_len + sep_len..].to_vec(),
    };
    let mut has_status = false;
    for line in head.lines() {
        let line = line.trim_end_matches('\r');
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "status" => {
                let (code, reason) = value.split_once(' ').unwrap_or((value, ""));
                resp.status = code.parse().ok()?;
                resp.reason = reason.trim().to_owned();
                has_status = true;
            }
            "content-length" | "transfer-encoding" | "connection" => {}
            _ => resp
                .headers
                .push((name.trim().to_owned(), value.to_owned())),
        }
    }
    if !has_status
        && resp
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("Location"))
    {
        resp.status = 302;
        resp.reason = "Found".into();
    }
    Some(resp)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------------------------------------
// Basic authentication

/// `Basic <base64(user:password)>`: the `Authorization` header value for these credentials.
pub fn basic_auth_header(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64_encode(format!("{user}:{password}").as_bytes())
    )
}

/// The user and password of a `Basic` `Authorization` header value.
pub fn parse_basic(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(base64_decode(encoded.trim())?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(input: &[u8]) -> String {
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(input: &str) -> Option<Vec<u8>> {
    let input = input.trim_end_matches('=');
    let mut out = Vec::new();
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in input.bytes() {
        let v = BASE64.iter().position(|&b| b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// silent server

/// Accepts TCP connections on 127.0.0.1 and never answers (nor closes them) until dropped.
pub struct SilentServer {
    addr: SocketAddr,
    shutdown: Arc<AtomicBool>,
    accepted: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl SilentServer {
    pub fn start() -> SilentServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let shutdown = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new(AtomicUsize::new(0));
        let (flag, count) = (shutdown.clone(), accepted.clone());
        let thread = std::thread::Builder::new()
            .name(format!("silent-{}", addr.port()))
            .spawn(move || {
                let mut held = Vec::new();
                for stream in listener.incoming() {
                    if flag.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        count.fetch_add(1, Ordering::SeqCst);
                        held.push(stream);
                    }
                }
                // `held` and the listener are dropped here: connections close, port frees.
            })
            .expect("spawn the silent server thread");
        SilentServer {
            addr,
            shutdown,
            accepted,
            thread: Some(thread),
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT/<name>.git`.
    pub fn http_url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}/{name}.git", self.addr.port())
    }

    /// `git://127.0.0.1:PORT/<name>.git`.
    pub fn git_url(&self, name: &str) -> String {
        format!("git://127.0.0.1:{}/{name}.git", self.addr.port())
    }

    /// How many connections were accepted so far.
    pub fn connections(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for SilentServer {
    fn drop(&mut self) {
        self.shutdown.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        for s in [
            "",
            "a",
            "ab",
            "abc",
            "user:pässword",
            "x-access-token:ghp_123",
        ] {
            let enc = base64_encode(s.as_bytes());
            assert_eq!(base64_decode(&enc).unwrap(), s.as_bytes(), "{s} -> {enc}");
        }
        assert_eq!(
            base64_encode(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }
}
