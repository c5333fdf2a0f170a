//! Saving a download: atomically, named by what it really is, with progress, a size cap and
//! no partial file left behind — not even when the process is told to stop.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rmcp::RoleServer;
use rmcp::model::ProgressNotificationParam;
use rmcp::service::RequestContext;
use tokio::io::AsyncWriteExt;

use crate::api::{ApiError, HeyGenClient, TransportKind};

/// The largest file a download writes; HeyGen's videos are far smaller.
pub const MAX_DOWNLOAD_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// Progress is reported at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);

/// Extensions that name a media type; a chosen file name ending in one has it replaced by the
/// real type's, any other ending ("v2.1") is kept and the real extension added.
const MEDIA_EXTENSIONS: &[&str] = &[
    "mp4", "mov", "m4v", "webm", "png", "jpg", "jpeg", "gif", "webp", "srt", "vtt", "mp3", "wav",
    "txt", "bin",
];

/// Temporary files being written, so a signal handler can remove them before the process
/// exits (destructors do not run then).
static PARTIAL: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

/// Removes every partial download. Called when the process is told to stop.
pub fn remove_partial_downloads() {
    let paths = PARTIAL
        .lock()
        .map(|mut set| std::mem::take(&mut *set))
        .unwrap_or_default();
    for path in paths {
        let _ = std::fs::remove_file(&path);
    }
}

/// Registers a temporary file for [`remove_partial_downloads`] while it lives.
struct Partial(PathBuf);

impl Partial {
    fn new(path: &Path) -> Self {
        if let Ok(mut set) = PARTIAL.lock() {
            set.insert(path.to_path_buf());
        }
        Self(path.to_path_buf())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if let Ok(mut set) = PARTIAL.lock() {
            set.remove(&self.0);
        }
    }
}

/// What was saved.
pub(super) struct Saved {
    pub path: PathBuf,
    pub file_name: String,
    pub size: u64,
    pub content_type: &'static str,
}

/// How the saved file is named: `name(extension)` once the content shows its type.
pub(super) struct Target<'a> {
    pub dir: &'a Path,
    pub name: &'a (dyn Fn(&str) -> String + Sync),
    pub overwrite: bool,
    /// Used when neither the bytes nor the Content-Type tell the type.
    pub fallback: (&'static str, &'static str),
}

/// Streams into a hidden temporary file beside the target, then renames it into place: the
/// target is either absent or complete, never partial. The file's extension follows its
/// content. Cancellation, an error or a stop signal removes the temporary file.
pub(super) async fn save(
    client: &HeyGenClient,
    mut response: reqwest::Response,
    target: Target<'_>,
    ctx: &RequestContext<RoleServer>,
) -> Result<Saved, ApiError> {
    let io =
        |what: &str, e: std::io::Error| ApiError::InvalidInput(format!("could not {what}: {e}"));
    let total = response.content_length();
    if let Some(total) = total
        && total > MAX_DOWNLOAD_BYTES
    {
        return Err(too_large());
    }
    let header_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // 0o666 before the umask, as any file the user creates (tempfile's default is 0o600).
    #[cfg(unix)]
    let permissions = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o666)
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".heygen-download-");
    #[cfg(unix)]
    builder.permissions(permissions);
    let temp = builder
        .tempfile_in(target.dir)
        .map_err(|e| io("create a temporary file", e))?;
    let (std_file, temp_path) = temp.into_parts();
    let _partial = Partial::new(&temp_path);
    let mut file = tokio::fs::File::from_std(std_file);
    let progress = ctx.meta.get_progress_token();
    let mut reported = Instant::now();
    let mut head: Vec<u8> = Vec::new();
    let mut size = 0u64;
    loop {
        let chunk = tokio::select! {
            () = client.cancelled() => return Err(ApiError::Cancelled),
            chunk = response.chunk() => chunk,
        };
        match chunk {
            Ok(Some(bytes)) => {
                size += bytes.len() as u64;
                if size > MAX_DOWNLOAD_BYTES {
                    return Err(too_large());
                }
                if head.len() < 64 {
                    head.extend_from_slice(&bytes[..bytes.len().min(64 - head.len())]);
                }
                file.write_all(&bytes)
                    .await
                    .map_err(|e| io("write the file", e))?;
                if let Some(token) = &progress
                    && reported.elapsed() >= PROGRESS_EVERY
                {
                    reported = Instant::now();
                    let mut param = ProgressNotificationParam::new(token.clone(), size as f64)
                        .with_message(format!("downloaded {} MB", size >> 20));
                    if let Some(total) = total {
                        param = param.with_total(total as f64);
                    }
                    let _ = ctx.peer.notify_progress(param).await;
                }
            }
            Ok(None) => break,
            Err(e) => {
                return Err(ApiError::Transport {
                    kind: TransportKind::Other,
                    message: format!("the download was cut off after {size} bytes ({e})"),
                    maybe_applied: false,
                });
            }
        }
    }
    if total.is_some_and(|total| total != size) {
        return Err(ApiError::Transport {
            kind: TransportKind::Other,
            message: format!(
                "the download ended after {size} of {} bytes",
                total.unwrap_or_default()
            ),
            maybe_applied: false,
        });
    }
    file.sync_all().await.map_err(|e| io("flush the file", e))?;
    drop(file);
    let (extension, content_type) = sniff(&head)
        .or_else(|| header_type.as_deref().and_then(from_content_type))
        .unwrap_or(target.fallback);
    let file_name = (target.name)(extension);
    let path = target.dir.join(&file_name);
    let placed = if target.overwrite {
        temp_path.persist(&path).map_err(|e| e.error)
    } else {
        temp_path.persist_noclobber(&path).map_err(|e| e.error)
    };
    placed.map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => ApiError::InvalidInput(format!(
            "{} already exists: pass overwrite=true, or another file_name",
            path.display()
        )),
        _ => io("move the file into place", e),
    })?;
    Ok(Saved {
        path,
        file_name,
        size,
        content_type,
    })
}

fn too_large() -> ApiError {
    ApiError::InvalidInput(format!(
        "the file is larger than {} GB, more than any HeyGen video; nothing was saved",
        MAX_DOWNLOAD_BYTES >> 30
    ))
}

/// `name` with `extension`: a media extension it already has is replaced, anything else
/// after a dot is part of the name ("Q3 update v2.1" keeps its ".1").
pub fn with_extension(name: &str, extension: &str) -> String {
    let stem = match name.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && MEDIA_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()) =>
        {
            stem
        }
        _ => name,
    };
    format!("{stem}.{extension}")
}

/// The type a file's first bytes show.
fn sniff(head: &[u8]) -> Option<(&'static str, &'static str)> {
    if let Some(mime) = super::media::image_type(head) {
        let ext = match mime {
            "image/png" => "png",
            "image/jpeg" => "jpg",
            "image/gif" => "gif",
            _ => "webp",
        };
        return Some((ext, mime));
    }
    if head.get(4..8) == Some(b"ftyp") {
        return Some(("mp4", "video/mp4"));
    }
    if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return Some(("webm", "video/webm"));
    }
    let text = std::str::from_utf8(head).ok()?;
    let text = text.trim_start_matches('\u{feff}');
    if text.starts_with("WEBVTT") {
        return Some(("vtt", "text/vtt"));
    }
    let first = text.lines().next().unwrap_or_default().trim();
    if !first.is_empty() && first.bytes().all(|b| b.is_ascii_digit()) {
        return Some(("srt", "application/x-subrip"));
    }
    None
}

fn from_content_type(header: &str) -> Option<(&'static str, &'static str)> {
    let mime = header.split(';').next()?.trim().to_ascii_lowercase();
    Some(match mime.as_str() {
        "video/mp4" => ("mp4", "video/mp4"),
        "video/webm" => ("webm", "video/webm"),
        "image/png" => ("png", "image/png"),
        "image/jpeg" => ("jpg", "image/jpeg"),
        "image/gif" => ("gif", "image/gif"),
        "text/vtt" => ("vtt", "text/vtt"),
        "application/x-subrip" | "text/srt" => ("srt", "application/x-subrip"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_content() {
        assert_eq!(with_extension("cover.mp4", "png"), "cover.png");
        assert_eq!(
            with_extension("Q3 update v2.1", "mp4"),
            "Q3 update v2.1.mp4"
        );
        assert_eq!(with_extension("clip.MOV", "mp4"), "clip.mp4");
        assert_eq!(with_extension("plain", "srt"), "plain.srt");
    }

    #[test]
    fn content_is_recognised_by_its_bytes() {
        assert_eq!(sniff(b"\x00\x00\x00\x18ftypmp42").map(|t| t.0), Some("mp4"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....").map(|t| t.0), Some("png"));
        assert_eq!(
            sniff(b"1\n00:00:00,000 --> 00:00:02,000\n").map(|t| t.0),
            Some("srt")
        );
        assert_eq!(sniff(b"<html>"), None);
    }
}
