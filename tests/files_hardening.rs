//! Local files under attack and under stress, through the real binary over MCP stdio against a
//! raw loopback HTTP server that records every request (method, path, headers, full body,
//! Content-Length or chunked) and answers each one as the test decides: uploads read only the
//! descriptor opened at check time (a symlink, FIFO or growth swapped in during a retry wait
//! changes nothing or fails clearly), hard links and unsafe part names are refused or
//! neutralised, an empty HEYGEN_ALLOWED_DIRS allows nothing but the output directory, and
//! downloads are named by their content, honour the umask, report progress, respect the size
//! cap and leave no partial file behind on SIGTERM.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{KEY, is_error, text};
use rmcp::model::{
    CallToolRequest, CallToolRequestParams, CallToolResult, ClientRequest,
    ProgressNotificationParam, ServerResult,
};
use rmcp::service::{NotificationContext, PeerRequestOptions, RunningService};
use rmcp::{ClientHandler, Peer, RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};

// ---------------------------------------------------------------------------------------------
// The raw fake: records every request, answers by route or hands the request to the test.
// ---------------------------------------------------------------------------------------------

/// One request as it arrived on the wire.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    /// Names lowercased.
    headers: Vec<(String, String)>,
    /// De-chunked when the request was chunked.
    body: Vec<u8>,
    /// The whole body arrived (Content-Length satisfied, or the last chunk seen).
    complete: bool,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// How the fake answers.
#[derive(Clone, Debug)]
enum Reply {
    /// A complete response, then the connection is closed.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Status and headers only (they may promise a body), then the connection is closed.
    HeadOnly {
        status: u16,
        headers: Vec<(String, String)>,
    },
    /// 200 with `Content-Length: length`; the body starts with `first` and continues with
    /// filler, `chunk` bytes every `every`, until `length` is sent or the peer goes away.
    Drip {
        content_type: &'static str,
        length: u64,
        first: Vec<u8>,
        chunk: usize,
        every: Duration,
    },
}

impl Reply {
    fn json(status: u16, extra: &[(&str, &str)], body: &Value) -> Self {
        let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
        headers.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        Reply::Full {
            status,
            headers,
            body: serde_json::to_vec(body).unwrap(),
        }
    }

    fn bytes(content_type: &str, body: &[u8]) -> Self {
        Reply::Full {
            status: 200,
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body: body.to_vec(),
        }
    }
}

/// A request with no route, handed to the test to answer.
struct Exchange {
    seen: Seen,
    reply: oneshot::Sender<(Reply, oneshot::Sender<()>)>,
}

impl Exchange {
    /// Answers, and returns once the answer has been written to the socket.
    async fn respond(self, reply: Reply) {
        let (written, done) = oneshot::channel();
        if self.reply.send((reply, written)).is_ok() {
            let _ = done.await;
        }
    }
}

struct Fake {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<AtomicUsize>,
    unrouted: mpsc::UnboundedReceiver<Exchange>,
}

impl Fake {
    /// Starts on loopback; `routes(base)` gives fixed answers keyed by "METHOD /path" (query
    /// ignored). Anything else is handed to the test through [`Fake::next`].
    async fn start(routes: impl FnOnce(&str) -> Vec<(String, Reply)>) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let routes: Arc<HashMap<String, Reply>> = Arc::new(routes(&base).into_iter().collect());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (tx, unrouted) = mpsc::unbounded_channel();
        let (log, count) = (seen.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                let (routes, log, tx) = (routes.clone(), log.clone(), tx.clone());
                tokio::spawn(async move { serve_one(stream, &routes, &log, &tx).await });
            }
        });
        Fake {
            base,
            seen,
            connections,
            unrouted,
        }
    }

    /// The next request without a route (panics after 15 s).
    async fn next(&mut self) -> Exchange {
        tokio::time::timeout(Duration::from_secs(15), self.unrouted.recv())
            .await
            .expect("no request reached the fake within 15 s")
            .expect("fake stopped")
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn seen_at(&self, method: &str, path: &str) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.method == method && s.path == path)
            .collect()
    }
}

async fn serve_one(
    mut stream: TcpStream,
    routes: &HashMap<String, Reply>,
    log: &Mutex<Vec<Seen>>,
    unrouted: &mpsc::UnboundedSender<Exchange>,
) {
    let Some(seen) = read_request(&mut stream).await else {
        return;
    };
    log.lock().unwrap().push(seen.clone());
    let route = format!("{} {}", seen.method, seen.path);
    let (reply, written) = match routes.get(&route) {
        Some(reply) => (reply.clone(), None),
        None => {
            let (tx, rx) = oneshot::channel();
            if unrouted.send(Exchange { seen, reply: tx }).is_err() {
                return;
            }
            match rx.await {
                Ok((reply, written)) => (reply, Some(written)),
                Err(_) => return,
            }
        }
    };
    write_reply(&mut stream, reply).await;
    if let Some(written) = written {
        let _ = written.send(());
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads one request: the head, then the body by Content-Length or chunked encoding. A body
/// cut short still returns what came, marked incomplete.
async fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut scratch = vec![0u8; 64 * 1024];
    let head_end = loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            break end;
        }
        match stream.read(&mut scratch).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&scratch[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut rest = buf[head_end + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let mut words = lines.next().unwrap_or_default().split(' ');
    let method = words.next().unwrap_or_default().to_owned();
    let target = words.next().unwrap_or_default();
    let path = target.split('?').next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut seen = Seen {
        method,
        path,
        headers,
        body: Vec::new(),
        complete: false,
    };
    let chunked = seen
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let mut more = async |rest: &mut Vec<u8>| -> bool {
        match stream.read(&mut scratch).await {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                rest.extend_from_slice(&scratch[..n]);
                true
            }
        }
    };
    if chunked {
        loop {
            let line_end = loop {
                if let Some(end) = find(&rest, b"\r\n") {
                    break end;
                }
                if !more(&mut rest).await {
                    return Some(seen);
                }
            };
            let size_text = String::from_utf8_lossy(&rest[..line_end]).to_string();
            let size_hex = size_text.split(';').next().unwrap_or_default().trim();
            let size = usize::from_str_radix(size_hex, 16).unwrap_or(0);
            if size == 0 {
                seen.complete = true;
                return Some(seen);
            }
            let start = line_end + 2;
            while rest.len() < start + size + 2 {
                if !more(&mut rest).await {
                    let available = rest.len().saturating_sub(start).min(size);
                    seen.body.extend_from_slice(&rest[start..start + available]);
                    return Some(seen);
                }
            }
            seen.body.extend_from_slice(&rest[start..start + size]);
            rest.drain(..start + size + 2);
        }
    }
    let length: usize = seen
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while rest.len() < length {
        if !more(&mut rest).await {
            seen.body = rest;
            return Some(seen);
        }
    }
    rest.truncate(length);
    seen.body = rest;
    seen.complete = true;
    Some(seen)
}

fn status_line(status: u16) -> String {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        429 => "Too Many Requests",
        _ => "Whatever",
    };
    format!("HTTP/1.1 {status} {reason}\r\n")
}

async fn write_reply(stream: &mut TcpStream, reply: Reply) {
    match reply {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut out = status_line(status);
            for (k, v) in headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str(&format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            ));
            let mut bytes = out.into_bytes();
            bytes.extend_from_slice(&body);
            let _ = stream.write_all(&bytes).await;
        }
        Reply::HeadOnly { status, headers } => {
            let mut out = status_line(status);
            for (k, v) in headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str("Connection: close\r\n\r\n");
            let _ = stream.write_all(out.as_bytes()).await;
        }
        Reply::Drip {
            content_type,
            length,
            first,
            chunk,
            every,
        } => {
            let head = format!(
                "{}Content-Type: {content_type}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n",
                status_line(200)
            );
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let mut sent = 0u64;
            while sent < length {
                let n = (chunk as u64).min(length - sent) as usize;
                let mut piece = vec![0u8; n];
                if sent == 0 {
                    let m = first.len().min(n);
                    piece[..m].copy_from_slice(&first[..m]);
                }
                if stream.write_all(&piece).await.is_err() {
                    return;
                }
                sent += n as u64;
                if sent < length {
                    tokio::time::sleep(every).await;
                }
            }
        }
    }
    let _ = stream.shutdown().await;
}

/// The parts of a multipart/form-data body: (header block, content).
fn multipart_parts(seen: &Seen) -> Vec<(String, Vec<u8>)> {
    let content_type = seen.header("content-type").expect("a content-type");
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .expect("a multipart boundary")
        .trim_matches('"');
    let delimiter = format!("--{boundary}").into_bytes();
    let body = &seen.body;
    let mut starts = Vec::new();
    let mut from = 0;
    while let Some(at) = find(&body[from..], &delimiter) {
        starts.push(from + at);
        from += at + delimiter.len();
    }
    starts
        .windows(2)
        .map(|pair| {
            let segment = &body[pair[0] + delimiter.len()..pair[1]];
            let segment = segment.strip_prefix(b"\r\n").unwrap_or(segment);
            let segment = segment.strip_suffix(b"\r\n").unwrap_or(segment);
            let split = find(segment, b"\r\n\r\n").expect("part headers end");
            (
                String::from_utf8_lossy(&segment[..split]).to_string(),
                segment[split + 4..].to_vec(),
            )
        })
        .collect()
}

/// The content of the multipart part named `file`.
fn file_part(seen: &Seen) -> (String, Vec<u8>) {
    multipart_parts(seen)
        .into_iter()
        .find(|(headers, _)| headers.contains("name=\"file\""))
        .unwrap_or_else(|| panic!("no file part in {} {}", seen.method, seen.path))
}

// ---------------------------------------------------------------------------------------------
// A server spawned here (for a pid, a HOME of our own, a umask or a progress-recording client).
// ---------------------------------------------------------------------------------------------

struct Spawned<H: ClientHandler> {
    client: Option<RunningService<RoleClient, H>>,
    child: tokio::process::Child,
    stderr: Arc<Mutex<String>>,
}

impl<H: ClientHandler> Drop for Spawned<H> {
    fn drop(&mut self) {
        let logged = self.stderr.lock().map(|s| s.clone()).unwrap_or_default();
        if !std::thread::panicking() {
            assert!(
                !logged.contains(KEY) && !logged.contains(&KEY[3..15]),
                "the API key appeared in the server's logs"
            );
        }
    }
}

impl<H: ClientHandler> Spawned<H> {
    fn peer(&self) -> Peer<RoleClient> {
        self.client.as_ref().expect("client open").peer().clone()
    }

    fn pid(&self) -> u32 {
        self.child.id().expect("child running")
    }

    /// Closes the client (stdin EOF) and waits up to `within` for the process to end.
    async fn close_and_wait(&mut self, within: Duration) -> std::process::ExitStatus {
        if let Some(client) = self.client.take() {
            let _ = client.cancel().await;
        }
        tokio::time::timeout(within, self.child.wait())
            .await
            .expect("the server did not exit after stdin closed")
            .unwrap()
    }
}

/// The binary with a clean environment (as `common::command`), optionally under `umask`.
async fn spawn<H: ClientHandler>(
    handler: H,
    env: &[(&str, &str)],
    home: &Path,
    umask: Option<&str>,
) -> Spawned<H> {
    let mut command = match umask {
        None => common::command(&[], env, home),
        Some(mask) => {
            let mut cmd = tokio::process::Command::new("/bin/sh");
            cmd.arg("-c")
                .arg(format!("umask {mask}; exec \"$0\" \"$@\""))
                .arg(env!("CARGO_BIN_EXE_heygen-mcp"))
                .env_clear()
                .env("HOME", home);
            for (k, v) in env {
                cmd.env(k, v);
            }
            cmd
        }
    };
    command
        .env("RUST_LOG", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = command.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let stdin = child.stdin.take().unwrap();
    let mut pipe = child.stderr.take().unwrap();
    let stderr = Arc::new(Mutex::new(String::new()));
    let sink = stderr.clone();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 16 * 1024];
        while let Ok(n) = pipe.read(&mut buf).await {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let client = handler.serve((stdout, stdin)).await.unwrap();
    Spawned {
        client: Some(client),
        child,
        stderr,
    }
}

/// `common::call` for a bare peer: no result may carry the key.
async fn call_peer(peer: &Peer<RoleClient>, tool: &str, args: Value) -> CallToolResult {
    let Value::Object(arguments) = args else {
        panic!("arguments must be an object")
    };
    let result = peer
        .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments))
        .await
        .unwrap();
    let rendered = serde_json::to_string(&result).unwrap();
    assert!(
        !rendered.contains(KEY),
        "the API key appeared in a {tool} result"
    );
    result
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

struct Dirs {
    allowed: tempfile::TempDir,
    output: tempfile::TempDir,
    outside: tempfile::TempDir,
}

impl Dirs {
    fn new() -> Self {
        Self {
            allowed: tempfile::tempdir().unwrap(),
            output: tempfile::tempdir().unwrap(),
            outside: tempfile::tempdir().unwrap(),
        }
    }

    fn env<'a>(&'a self, base: &'a str) -> Vec<(&'a str, &'a str)> {
        vec![
            ("HEYGEN_API_KEY", KEY),
            ("HEYGEN_API_BASE", base),
            ("HEYGEN_ALLOWED_DIRS", self.allowed.path().to_str().unwrap()),
            ("HEYGEN_OUTPUT_DIR", self.output.path().to_str().unwrap()),
        ]
    }

    /// Every entry in the output directory, hidden ones included.
    fn output_entries(&self) -> Vec<String> {
        entries(self.output.path())
    }
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A PNG signature followed by `fill` repeated to `len` bytes in all.
fn png(fill: &[u8], len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    while bytes.len() < len {
        bytes.extend_from_slice(fill);
    }
    bytes.truncate(len);
    bytes
}

fn rate_limited() -> Reply {
    Reply::json(
        429,
        &[("Retry-After", "1")],
        &json!({"error": {"code": "rate_limit_exceeded", "message": "slow down"}}),
    )
}

fn uploaded(size: usize) -> Reply {
    Reply::json(
        200,
        &[],
        &json!({"data": {"asset_id": "a_1", "url": "https://x/a", "mime_type": "image/png", "size_bytes": size}}),
    )
}

fn ok(result: &CallToolResult) -> Value {
    assert!(!is_error(result), "tool failed: {}", text(result));
    result.structured_content.clone().unwrap()
}

/// A completed video whose files are served by the fake at `/media/…`.
fn video_routes(base: &str, media: Vec<(&str, Reply)>) -> Vec<(String, Reply)> {
    let detail = json!({"data": {
        "id": "v_1",
        "status": "completed",
        "title": "Quarterly update",
        "video_url": format!("{base}/media/video.mp4"),
        "thumbnail_url": format!("{base}/media/thumb.mp4"),
    }});
    let mut routes = vec![(
        "GET /v3/videos/v_1".to_owned(),
        Reply::json(200, &[], &detail),
    )];
    routes.extend(
        media
            .into_iter()
            .map(|(path, reply)| (format!("GET {path}"), reply)),
    );
    routes
}

const MP4_HEAD: &[u8] = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom";

/// The first upload attempt is answered 429 (Retry-After: 1); `during_wait` runs once that
/// answer is on the wire, and must finish before the retry arrives; the retry is answered
/// 200. Returns what the fake saw of both attempts.
async fn upload_with_swap_during_retry(
    peer_call: impl Future<Output = CallToolResult>,
    fake: &mut Fake,
    size: usize,
    during_wait: impl FnOnce(),
) -> (CallToolResult, Seen, Seen) {
    let drive = async {
        let first = fake.next().await;
        let first_seen = first.seen.clone();
        assert_eq!(
            (first_seen.method.as_str(), first_seen.path.as_str()),
            ("POST", "/v3/assets")
        );
        first.respond(rate_limited()).await;
        during_wait();
        assert!(
            fake.unrouted.is_empty(),
            "the retry arrived before the file was swapped; the test proves nothing"
        );
        let second = fake.next().await;
        let second_seen = second.seen.clone();
        second.respond(uploaded(size)).await;
        (first_seen, second_seen)
    };
    let (result, (first, second)) = tokio::time::timeout(Duration::from_secs(20), async {
        tokio::join!(peer_call, drive)
    })
    .await
    .expect("the upload did not finish within 20 s");
    (result, first, second)
}

// ---------------------------------------------------------------------------------------------
// Uploads
// ---------------------------------------------------------------------------------------------

/// Guards against re-opening the path for a retry: a file checked inside the allowed
/// directories, then replaced by a symlink to a file outside them while the client waits out
/// a 429, must not have the outside file's bytes uploaded. Also: both attempts carry the same
/// idempotency key, so HeyGen can tell the retry from a second upload.
#[tokio::test]
async fn upload_retry_after_a_symlink_swap_sends_the_bytes_checked_first() {
    let dirs = Dirs::new();
    let original = png(b"ORIGINAL", 4096);
    let secret = png(b"OUTSIDE!", 4096);
    let path = dirs.allowed.path().join("slide.png");
    let elsewhere = dirs.outside.path().join("secret.png");
    std::fs::write(&path, &original).unwrap();
    std::fs::write(&elsewhere, &secret).unwrap();
    let mut fake = Fake::start(|_| Vec::new()).await;
    let served = common::serve(&[], &dirs.env(&fake.base)).await;

    let upload = common::call(
        &served,
        "upload_asset",
        json!({"path": path.to_str().unwrap()}),
    );
    let (result, first, second) =
        upload_with_swap_during_retry(upload, &mut fake, original.len(), || {
            std::fs::remove_file(&path).unwrap();
            std::os::unix::fs::symlink(&elsewhere, &path).unwrap();
        })
        .await;

    let uploaded = ok(&result);
    assert_eq!(uploaded["asset_id"], "a_1");
    assert!(first.complete && second.complete);
    assert_eq!(file_part(&first).1, original, "first attempt");
    let resent = file_part(&second).1;
    assert!(
        find(&resent, b"OUTSIDE!").is_none(),
        "the retry uploaded the file outside the allowed directories"
    );
    assert_eq!(resent, original, "the retry sends the bytes checked first");
    let key = first.header("idempotency-key").expect("an idempotency key");
    assert!(!key.is_empty());
    assert_eq!(
        second.header("idempotency-key"),
        Some(key),
        "same key on retry"
    );
    assert_eq!(fake.seen_at("POST", "/v3/assets").len(), 2);
}

/// Guards against a FIFO swapped in during the retry wait hanging the server (a blocking open
/// or read of the path): the upload completes from the held descriptor, the call returns
/// promptly, and the process still ends on stdin EOF.
#[tokio::test]
async fn upload_retry_after_a_fifo_swap_neither_hangs_nor_reads_the_fifo() {
    let dirs = Dirs::new();
    let original = png(b"ORIGINAL", 2048);
    let path = dirs.allowed.path().join("slide.png");
    std::fs::write(&path, &original).unwrap();
    let mut fake = Fake::start(|_| Vec::new()).await;
    let home = tempfile::tempdir().unwrap();
    let mut server = spawn((), &dirs.env(&fake.base), home.path(), None).await;
    let peer = server.peer();

    let started = Instant::now();
    let upload = call_peer(
        &peer,
        "upload_asset",
        json!({"path": path.to_str().unwrap()}),
    );
    let (result, _first, second) =
        upload_with_swap_during_retry(upload, &mut fake, original.len(), || {
            std::fs::remove_file(&path).unwrap();
            let made = std::process::Command::new("mkfifo")
                .arg(&path)
                .status()
                .unwrap();
            assert!(made.success());
        })
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(ok(&result)["asset_id"], "a_1");
    assert!(second.complete);
    assert_eq!(file_part(&second).1, original);

    let status = server.close_and_wait(Duration::from_secs(5)).await;
    assert!(status.success(), "exit on stdin EOF: {status:?}");
}

/// Guards against a hard link smuggling a file from outside the allowed directories in (a
/// second name inside an allowed directory passes every path check): any file with more than
/// one link is refused before a request is made.
#[tokio::test]
async fn a_file_with_more_than_one_hard_link_is_refused_before_sending() {
    let dirs = Dirs::new();
    let outside = dirs.outside.path().join("secret.png");
    std::fs::write(&outside, png(b"SECRET", 512)).unwrap();
    let smuggled = dirs.allowed.path().join("smuggled.png");
    std::fs::hard_link(&outside, &smuggled).unwrap();
    let inside = dirs.allowed.path().join("slide.png");
    std::fs::write(&inside, png(b"INSIDE", 512)).unwrap();
    let twin = dirs.allowed.path().join("twin.png");
    std::fs::hard_link(&inside, &twin).unwrap();
    // Answers that would let a wrongly accepted file succeed quickly instead of hanging.
    let fake = Fake::start(|_| {
        vec![
            ("POST /v3/assets".to_owned(), uploaded(512)),
            (
                "POST /v3/video-agents".to_owned(),
                Reply::json(200, &[], &json!({"data": {"session_id": "s_1"}})),
            ),
        ]
    })
    .await;
    let served = common::serve(&[], &dirs.env(&fake.base)).await;

    for path in [&smuggled, &inside, &twin] {
        let refused = common::call(
            &served,
            "upload_asset",
            json!({"path": path.to_str().unwrap()}),
        )
        .await;
        assert!(is_error(&refused), "{} accepted", path.display());
        assert!(
            text(&refused).contains("hard link"),
            "{}: {}",
            path.display(),
            text(&refused)
        );
    }
    let as_item = common::call(
        &served,
        "create_video_agent",
        json!({"prompt": "p", "files": [{"type": "path", "path": smuggled.to_str().unwrap()}]}),
    )
    .await;
    assert!(
        is_error(&as_item) && text(&as_item).contains("hard link"),
        "{}",
        text(&as_item)
    );
    assert_eq!(
        fake.connections.load(Ordering::SeqCst),
        0,
        "nothing reached the API: {:?}",
        fake.seen()
    );
}

/// Guards against a file that grows during the upload being sent as a malformed or silently
/// different upload that HeyGen accepts: the tool must fail and say the file changed size,
/// even if the fake would take whatever arrives (every later attempt is answered 200).
#[tokio::test]
async fn a_file_that_grows_during_the_retry_wait_fails_the_upload_clearly() {
    let dirs = Dirs::new();
    let original = png(b"GROWING!", 4096);
    let path = dirs.allowed.path().join("slide.png");
    std::fs::write(&path, &original).unwrap();
    let mut fake = Fake::start(|_| Vec::new()).await;
    let served = common::serve(&[], &dirs.env(&fake.base)).await;

    let upload = common::call(
        &served,
        "upload_asset",
        json!({"path": path.to_str().unwrap()}),
    );
    let mut later = Vec::new();
    let drive = async {
        let first = fake.next().await;
        first.respond(rate_limited()).await;
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        std::io::Write::write_all(&mut file, &[7u8; 1000]).unwrap();
        drop(file);
        assert!(fake.unrouted.is_empty(), "the retry came before the append");
        // Whatever arrives later is accepted, as a lenient server would.
        loop {
            let next = fake.next().await;
            later.push(next.seen.clone());
            next.respond(uploaded(original.len())).await;
        }
    };
    let result = tokio::time::timeout(Duration::from_secs(20), async {
        tokio::select! {
            result = upload => result,
            () = drive => unreachable!(),
        }
    })
    .await
    .expect("the upload did not finish within 20 s");
    let seen: Vec<(usize, bool)> = later.iter().map(|s| (s.body.len(), s.complete)).collect();
    assert!(
        is_error(&result),
        "a grown file uploaded as a success; later attempts (body bytes, complete): {seen:?}"
    );
    assert!(
        text(&result).contains("changed size"),
        "{}; later attempts: {seen:?}",
        text(&result)
    );
    for attempt in &later {
        assert!(
            !attempt.complete || find(&attempt.body, &[7u8; 1000]).is_none(),
            "the grown bytes were sent in a complete request"
        );
    }
}

/// Guards against header injection through a file name: Linux allows CR and LF in names, and
/// a name copied raw into `Content-Disposition: …; filename="…"` would end the header line and
/// start a forged one.
#[tokio::test]
async fn a_file_name_with_cr_lf_cannot_forge_a_multipart_header() {
    let dirs = Dirs::new();
    let bytes = png(b"CRLF", 256);
    let path = dirs.allowed.path().join("a\r\nX-Injected: 1.png");
    std::fs::write(&path, &bytes).unwrap();
    let fake = Fake::start(|_| vec![("POST /v3/assets".to_owned(), uploaded(256))]).await;
    let served = common::serve(&[], &dirs.env(&fake.base)).await;

    let result = common::call(
        &served,
        "upload_asset",
        json!({"path": path.to_str().unwrap()}),
    )
    .await;
    let uploaded = ok(&result);
    let shown = uploaded["file_name"].as_str().unwrap();
    assert!(!shown.contains(['\r', '\n']), "{shown:?}");

    let attempts = fake.seen_at("POST", "/v3/assets");
    assert_eq!(attempts.len(), 1);
    let (headers, content) = file_part(&attempts[0]);
    assert_eq!(content, bytes);
    let lines: Vec<&str> = headers.split("\r\n").collect();
    for line in &lines {
        assert!(
            !line.contains(['\r', '\n']),
            "a bare CR or LF in a part header: {headers:?}"
        );
        assert!(
            !line
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("x-injected"),
            "a forged header line: {headers:?}"
        );
    }
    let disposition = lines
        .iter()
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))
        .expect("a Content-Disposition line");
    assert!(
        disposition.contains("filename") && disposition.contains("X-Injected"),
        "the whole name stays on the Content-Disposition line: {headers:?}"
    );
    assert_eq!(
        lines.len(),
        2,
        "only Content-Disposition and Content-Type: {headers:?}"
    );
}

/// Guards against an empty HEYGEN_ALLOWED_DIRS being read as "unset" and falling back to the
/// whole home directory: set but empty allows nothing beyond the output directory.
#[tokio::test]
async fn an_empty_allowed_dirs_allows_only_the_output_directory() {
    let home = tempfile::tempdir().unwrap();
    let output = tempfile::tempdir().unwrap();
    let in_home = home.path().join("slide.png");
    std::fs::write(&in_home, png(b"HOME", 128)).unwrap();
    let in_output = output.path().join("slide.png");
    std::fs::write(&in_output, png(b"OUT", 128)).unwrap();
    let fake = Fake::start(|_| vec![("POST /v3/assets".to_owned(), uploaded(128))]).await;
    let env = [
        ("HEYGEN_API_KEY", KEY),
        ("HEYGEN_API_BASE", fake.base.as_str()),
        ("HEYGEN_ALLOWED_DIRS", ""),
        ("HEYGEN_OUTPUT_DIR", output.path().to_str().unwrap()),
    ];
    let server = spawn((), &env, home.path(), None).await;
    let peer = server.peer();

    for raw in [in_home.to_str().unwrap(), "~/slide.png"] {
        let refused = call_peer(&peer, "upload_asset", json!({"path": raw})).await;
        assert!(is_error(&refused), "{raw} in HOME accepted");
        assert!(
            text(&refused).contains("outside the directories"),
            "{raw}: {}",
            text(&refused)
        );
    }
    assert!(fake.seen().is_empty(), "nothing sent for the refused file");

    let accepted = call_peer(
        &peer,
        "upload_asset",
        json!({"path": in_output.to_str().unwrap()}),
    )
    .await;
    assert_eq!(ok(&accepted)["asset_id"], "a_1");
    assert_eq!(fake.seen_at("POST", "/v3/assets").len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Downloads
// ---------------------------------------------------------------------------------------------

/// Guards against naming a download by the link, the Content-Type or the name asked for: a
/// PNG labelled video/mp4 saved as "cover.mp4" would not open; and against eating part of a
/// name that only looks like an extension ("v2.1").
#[tokio::test]
async fn downloads_are_named_by_their_content() {
    let dirs = Dirs::new();
    let thumb = png(b"THUMB", 300);
    let mut video = MP4_HEAD.to_vec();
    video.extend_from_slice(&[9u8; 500]);
    let fake = Fake::start(|base| {
        video_routes(
            base,
            vec![
                ("/media/thumb.mp4", Reply::bytes("video/mp4", &thumb)),
                (
                    "/media/video.mp4",
                    Reply::bytes("application/octet-stream", &video),
                ),
            ],
        )
    })
    .await;
    let served = common::serve(&[], &dirs.env(&fake.base)).await;

    let cover = ok(&common::call(
        &served,
        "download_video",
        json!({"video_id": "v_1", "asset": "thumbnail", "file_name": "cover.mp4"}),
    )
    .await);
    let out = dirs.output.path().canonicalize().unwrap();
    assert_eq!(cover["path"], out.join("cover.png").to_str().unwrap());
    assert_eq!(cover["content_type"], "image/png");
    assert_eq!(std::fs::read(out.join("cover.png")).unwrap(), thumb);
    assert!(!out.join("cover.mp4").exists());

    let named = ok(&common::call(
        &served,
        "download_video",
        json!({"video_id": "v_1", "file_name": "Q3 update v2.1"}),
    )
    .await);
    assert_eq!(
        named["path"],
        out.join("Q3 update v2.1.mp4").to_str().unwrap()
    );
    assert_eq!(
        std::fs::read(out.join("Q3 update v2.1.mp4")).unwrap(),
        video
    );
    assert_eq!(
        dirs.output_entries(),
        vec!["Q3 update v2.1.mp4".to_owned(), "cover.png".to_owned()]
    );
}

/// Guards against downloads always being 0644 (or 0600): the saved file gets 0666 minus the
/// server's umask, as any file the user creates would.
#[tokio::test]
async fn downloads_respect_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let mut video = MP4_HEAD.to_vec();
    video.extend_from_slice(&[1u8; 100]);
    let fake = Fake::start(|base| {
        video_routes(
            base,
            vec![("/media/video.mp4", Reply::bytes("video/mp4", &video))],
        )
    })
    .await;
    for (mask, expected) in [("077", 0o600), ("022", 0o644)] {
        let dirs = Dirs::new();
        let home = tempfile::tempdir().unwrap();
        let server = spawn((), &dirs.env(&fake.base), home.path(), Some(mask)).await;
        let saved = ok(&call_peer(
            &server.peer(),
            "download_video",
            json!({"video_id": "v_1", "file_name": "clip"}),
        )
        .await);
        let path = PathBuf::from(saved["path"].as_str().unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), video);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode, expected,
            "umask {mask}: mode {mode:o}, expected {expected:o}"
        );
    }
}

/// Guards against a stop signal leaving a hidden `.heygen-download-*` file behind (destructors
/// do not run on exit): SIGTERM mid-download ends the process promptly and removes it.
#[tokio::test]
async fn sigterm_during_a_download_leaves_no_partial_file() {
    let dirs = Dirs::new();
    let fake = Fake::start(|base| {
        video_routes(
            base,
            vec![(
                "/media/video.mp4",
                Reply::Drip {
                    content_type: "video/mp4",
                    length: 50_000_000,
                    first: MP4_HEAD.to_vec(),
                    chunk: 64,
                    every: Duration::from_millis(100),
                },
            )],
        )
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let mut server = spawn((), &dirs.env(&fake.base), home.path(), None).await;
    let peer = server.peer();
    let download = tokio::spawn(async move {
        peer.call_tool(
            CallToolRequestParams::new("download_video")
                .with_arguments(json!({"video_id": "v_1"}).as_object().unwrap().clone()),
        )
        .await
    });

    // A partial file that has bytes in it: the download is under way and registered.
    let partial = |dirs: &Dirs| {
        std::fs::read_dir(dirs.output.path())
            .unwrap()
            .filter_map(Result::ok)
            .find(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".heygen-download-")
                    && e.metadata().is_ok_and(|m| m.len() > 0)
            })
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while partial(&dirs).is_none() {
        assert!(Instant::now() < deadline, "no partial download appeared");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(5), server.child.wait())
        .await
        .expect("the server did not exit within 5 s of SIGTERM")
        .unwrap();
    assert_eq!(status.code(), Some(143), "{status:?}");
    let left: Vec<String> = dirs
        .output_entries()
        .into_iter()
        .filter(|n| n.starts_with(".heygen-download-"))
        .collect();
    assert!(left.is_empty(), "partial files left behind: {left:?}");
    assert!(
        dirs.output_entries().is_empty(),
        "{:?}",
        dirs.output_entries()
    );
    let answered = tokio::time::timeout(Duration::from_secs(5), download)
        .await
        .expect("the call did not end with the process")
        .unwrap();
    // Either the pipe closed first, or the server answered the call as it stopped (the stop
    // cancels in-flight calls before the process exits); never a saved file.
    if let Ok(result) = &answered {
        assert!(
            is_error(result),
            "a stopped download reported success: {result:?}"
        );
    }
}

/// Records progress notifications.
#[derive(Clone, Default)]
struct ProgressLog(Arc<Mutex<Vec<ProgressNotificationParam>>>);

impl ClientHandler for ProgressLog {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _: NotificationContext<RoleClient>,
    ) {
        self.0.lock().unwrap().push(params);
    }
}

/// Guards against a long download going silent (hosts time a quiet call out): with a progress
/// token, a slow multi-MB download reports rising progress for that token, bounded by the total.
#[tokio::test]
async fn a_slow_download_reports_progress() {
    const LENGTH: u64 = 6 * 1024 * 1024;
    let dirs = Dirs::new();
    let fake = Fake::start(|base| {
        video_routes(
            base,
            vec![(
                "/media/video.mp4",
                Reply::Drip {
                    content_type: "video/mp4",
                    length: LENGTH,
                    first: MP4_HEAD.to_vec(),
                    chunk: 128 * 1024,
                    every: Duration::from_millis(40),
                },
            )],
        )
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let log = ProgressLog::default();
    let server = spawn(log.clone(), &dirs.env(&fake.base), home.path(), None).await;
    let params = CallToolRequestParams::new("download_video")
        .with_arguments(json!({"video_id": "v_1"}).as_object().unwrap().clone());
    // rmcp puts a fresh progress token in every request's _meta; the handle says which.
    let handle = server
        .peer()
        .send_request_with_option(
            ClientRequest::CallToolRequest(CallToolRequest::new(params)),
            PeerRequestOptions::no_options(),
        )
        .await
        .unwrap();
    let token = handle.progress_token.clone();
    let ServerResult::CallToolResult(result) = handle.await_response().await.unwrap() else {
        panic!("not a tool result")
    };
    let saved = ok(&result);
    assert_eq!(saved["size_bytes"], LENGTH);
    // Notifications are handled on their own task: give the last ones a moment.
    let deadline = Instant::now() + Duration::from_secs(2);
    while log.0.lock().unwrap().len() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let seen = log.0.lock().unwrap().clone();
    assert!(!seen.is_empty(), "no progress notification");
    let mut last = 0.0;
    for note in &seen {
        assert_eq!(note.progress_token, token, "progress for another request");
        assert!(note.progress > last, "progress did not increase: {seen:?}");
        assert!(note.progress <= LENGTH as f64, "{seen:?}");
        if let Some(total) = note.total {
            assert_eq!(total, LENGTH as f64);
        }
        last = note.progress;
    }
}

/// Guards against writing gigabytes before noticing: a file whose Content-Length is over the
/// 4 GB cap is refused from the headers, before a temporary file is created.
#[tokio::test]
async fn a_download_over_the_size_cap_is_refused_before_writing() {
    let dirs = Dirs::new();
    let fake = Fake::start(|base| {
        video_routes(
            base,
            vec![(
                "/media/video.mp4",
                Reply::HeadOnly {
                    status: 200,
                    headers: vec![
                        ("Content-Type".to_owned(), "video/mp4".to_owned()),
                        ("Content-Length".to_owned(), "5000000000".to_owned()),
                    ],
                },
            )],
        )
    })
    .await;
    let served = common::serve(&[], &dirs.env(&fake.base)).await;
    let started = Instant::now();
    let refused = common::call(&served, "download_video", json!({"video_id": "v_1"})).await;
    assert!(is_error(&refused), "{}", text(&refused));
    assert!(
        text(&refused).contains("larger than 4 GB"),
        "{}",
        text(&refused)
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(fake.seen_at("GET", "/media/video.mp4").len(), 1);
    assert!(
        dirs.output_entries().is_empty(),
        "{:?}",
        dirs.output_entries()
    );
}

/// The harness itself: the fake de-chunks a chunked body and keeps a Content-Length one whole,
/// so the upload tests would see the real bytes whichever way reqwest frames them.
#[tokio::test]
async fn the_fake_reads_chunked_and_sized_bodies() {
    let fake = Fake::start(|_| {
        vec![(
            "POST /echo".to_owned(),
            Reply::json(200, &[], &json!({"ok": true})),
        )]
    })
    .await;
    let address = fake.base.trim_start_matches("http://").to_owned();
    for raw in [
        &b"POST /echo?x=1 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n"[..],
        &b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\n\r\nhello, world"[..],
    ] {
        let mut stream = TcpStream::connect(&address).await.unwrap();
        // Sent in two pieces, so a body split across reads is reassembled.
        let (a, b) = raw.split_at(raw.len() - 9);
        stream.write_all(a).await.unwrap();
        stream.flush().await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        stream.write_all(b).await.unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        assert!(answer.starts_with(b"HTTP/1.1 200"));
    }
    let seen = fake.seen_at("POST", "/echo");
    assert_eq!(seen.len(), 2);
    for request in &seen {
        assert!(request.complete);
        assert_eq!(request.body, b"hello, world");
    }
}
