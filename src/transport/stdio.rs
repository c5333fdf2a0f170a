//! stdio: the process's own pipes, with every request answered.
//!
//! rmcp drops a JSON-RPC line longer than its limit and answers nothing, so a client waits
//! for ever on a request that was too large (a huge base64 file, say). [`LineLimit`] sits
//! in front of rmcp's reader: a line over [`MAX_LINE_BYTES`] is replaced by a small request
//! with the same id and the method [`OVERSIZED_METHOD`], which the server answers with an
//! error that says what happened. rmcp's own limit is never reached.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};

/// The longest JSON-RPC line read; rmcp's own limit is 16 MiB, so ours must be below it.
pub const MAX_LINE_BYTES: usize = 15 * 1024 * 1024;

/// Stands in for a request that was too large; the server answers it with an error.
pub const OVERSIZED_METHOD: &str = "heygen-mcp/request-too-large";

/// How much of an oversized line is kept to find its id.
const PREFIX_BYTES: usize = 64 * 1024;

/// An [`AsyncRead`] of newline-delimited JSON-RPC that never passes on a line longer than
/// `limit`: such a line becomes an [`OVERSIZED_METHOD`] request with the original id (or is
/// dropped, with a log line, when it has no id: a notification or a response).
pub struct LineLimit<R> {
    inner: R,
    limit: usize,
    /// The line being read.
    line: Vec<u8>,
    /// Bytes of the current line so far, counted even while discarding.
    line_len: usize,
    oversized: bool,
    /// Lines ready to hand on.
    ready: VecDeque<u8>,
    eof: bool,
}

impl<R> LineLimit<R> {
    pub fn new(inner: R, limit: usize) -> Self {
        Self {
            inner,
            limit,
            line: Vec::new(),
            line_len: 0,
            oversized: false,
            ready: VecDeque::new(),
            eof: false,
        }
    }

    fn take_bytes(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let newline = bytes.iter().position(|b| *b == b'\n');
            let take = newline.map_or(bytes.len(), |i| i + 1);
            let (part, rest) = bytes.split_at(take);
            self.line_len += part.len();
            if !self.oversized && self.line_len > self.limit {
                self.oversized = true;
                self.line.truncate(PREFIX_BYTES);
            }
            if self.oversized {
                let room = PREFIX_BYTES.saturating_sub(self.line.len());
                self.line.extend_from_slice(&part[..part.len().min(room)]);
            } else {
                self.line.extend_from_slice(part);
            }
            if newline.is_some() {
                self.end_line();
            }
            bytes = rest;
        }
    }

    fn end_line(&mut self) {
        if self.oversized {
            match substitute(&self.line, self.line_len, self.limit) {
                Some(line) => self.ready.extend(line.into_bytes()),
                None => tracing::warn!(
                    bytes = self.line_len,
                    limit = self.limit,
                    "dropped an oversized JSON-RPC message without an id"
                ),
            }
        } else {
            self.ready.extend(self.line.drain(..));
        }
        self.line.clear();
        self.line_len = 0;
        self.oversized = false;
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for LineLimit<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        loop {
            if !this.ready.is_empty() {
                let n = this.ready.len().min(buf.remaining());
                let (front, back) = this.ready.as_slices();
                let from_front = n.min(front.len());
                buf.put_slice(&front[..from_front]);
                buf.put_slice(&back[..n - from_front]);
                this.ready.drain(..n);
                return Poll::Ready(Ok(()));
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            let mut chunk = [0u8; 16 * 1024];
            let mut read = ReadBuf::new(&mut chunk);
            match Pin::new(&mut this.inner).poll_read(cx, &mut read) {
                Poll::Ready(Ok(())) if read.filled().is_empty() => {
                    // EOF: a last line without a newline is handed on as it is.
                    if !this.line.is_empty() && !this.oversized {
                        this.ready.extend(this.line.drain(..));
                    }
                    this.eof = true;
                }
                Poll::Ready(Ok(())) => {
                    let filled = read.filled().to_vec();
                    this.take_bytes(&filled);
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// The request that stands in for an oversized one: the same id, when the prefix shows it
/// was a request (it has a top-level `id` and `method`).
fn substitute(prefix: &[u8], bytes: usize, limit: usize) -> Option<String> {
    let fields = top_level_fields(prefix);
    let id = fields
        .iter()
        .find(|(k, _)| k == "id")
        .map(|(_, v)| v.clone())?;
    fields.iter().find(|(k, _)| k == "method")?;
    let params = serde_json::json!({
        "bytes": bytes,
        "limit": limit,
        "_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {}
        }
    });
    let message = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "method": OVERSIZED_METHOD,
        "params": params,
    });
    Some(format!("{message}\n"))
}

/// The scalar fields (strings and numbers) at the top level of a JSON object's prefix, read
/// up to where the prefix ends. Nested objects and arrays are skipped, so an `id` inside
/// `params` is never taken for the request's.
fn top_level_fields(prefix: &[u8]) -> Vec<(String, serde_json::Value)> {
    let text = String::from_utf8_lossy(prefix);
    let mut chars = text.char_indices().peekable();
    let mut fields = Vec::new();
    let mut depth = 0i32;
    let mut key: Option<String> = None;
    let mut expecting_value = false;
    while let Some((start, c)) = chars.next() {
        match c {
            '{' | '[' => {
                depth += 1;
                if depth > 1 {
                    expecting_value = false;
                    key = None;
                }
            }
            '}' | ']' => depth -= 1,
            '"' => {
                let mut s = String::new();
                let mut closed = false;
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, escaped)) = chars.next() {
                                s.push(escaped);
                            }
                        }
                        '"' => {
                            closed = true;
                            break;
                        }
                        other => s.push(other),
                    }
                }
                if !closed {
                    break;
                }
                if depth == 1 {
                    if expecting_value {
                        if let Some(k) = key.take() {
                            fields.push((k, serde_json::Value::String(s)));
                        }
                        expecting_value = false;
                    } else {
                        key = Some(s);
                    }
                }
            }
            ':' if depth == 1 => expecting_value = key.is_some(),
            ',' if depth == 1 => {
                key = None;
                expecting_value = false;
            }
            c if depth == 1 && expecting_value && (c == '-' || c.is_ascii_digit()) => {
                let mut end = start + c.len_utf8();
                while let Some(&(i, d)) = chars.peek() {
                    if d.is_ascii_digit() || matches!(d, '.' | 'e' | 'E' | '+' | '-') {
                        end = i + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                if let (Some(k), Ok(n)) =
                    (key.take(), text[start..end].parse::<serde_json::Number>())
                {
                    fields.push((k, serde_json::Value::Number(n)));
                }
                expecting_value = false;
            }
            _ => {}
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    async fn pass(input: &[u8], limit: usize) -> String {
        let mut reader = LineLimit::new(input, limit);
        let mut out = String::new();
        reader
            .read_to_string(&mut out)
            .await
            .unwrap_or_else(|e| unreachable!("{e}"));
        out
    }

    #[tokio::test]
    async fn lines_within_the_limit_pass_unchanged() {
        let input = b"{\"a\":1}\n{\"b\":2}\n{\"c\":3}";
        assert_eq!(pass(input, 100).await, String::from_utf8_lossy(input));
    }

    #[tokio::test]
    async fn an_oversized_request_keeps_its_id() {
        let big = format!(
            "{{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{{\"id\":\"inner\",\"x\":\"{}\"}},\"id\":7}}\n{{\"ok\":1}}\n",
            "y".repeat(500)
        );
        let out = pass(big.as_bytes(), 200).await;
        let mut lines = out.lines();
        let first: serde_json::Value =
            serde_json::from_str(lines.next().unwrap_or_default()).unwrap_or_default();
        assert_eq!(first["id"], 7);
        assert_eq!(first["method"], OVERSIZED_METHOD);
        assert_eq!(lines.next(), Some("{\"ok\":1}"));
    }

    #[tokio::test]
    async fn an_oversized_notification_is_dropped() {
        let big = format!(
            "{{\"jsonrpc\":\"2.0\",\"method\":\"n\",\"params\":{{\"x\":\"{}\"}}}}\n{{\"ok\":1}}\n",
            "y".repeat(500)
        );
        assert_eq!(pass(big.as_bytes(), 200).await, "{\"ok\":1}\n");
    }

    #[test]
    fn string_ids_and_escapes() {
        let fields = top_level_fields(br#"{"id":"a\"b","method":"m","params":{"id":1}"#);
        assert_eq!(fields[0], ("id".into(), serde_json::json!("a\"b")));
        assert_eq!(fields.len(), 2);
    }
}
