//! Local files: where the server may read and write, and what it may upload.
//!
//! Every path a tool receives is resolved to a canonical path (symlinks followed, `..`
//! removed) and must then lie inside an allowed root: `HEYGEN_ALLOWED_DIRS`, the output
//! directory, and the roots the MCP client offers. Only regular files are read; devices,
//! pipes and directories are refused. Size and type are checked before a byte is sent.
//!
//! A file is opened **once** (no-follow, non-blocking, so a FIFO swapped in cannot hang the
//! server), the open descriptor is checked (a regular file, one link, still inside an allowed
//! root), and every upload attempt reads from that descriptor only: whatever is swapped in
//! at the path afterwards is never read. A file that grows or shrinks while it is sent fails
//! the upload instead of sending a malformed body.

use std::io::{Read, Seek};
use std::path::{Component, Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};

/// Where files may be read and written.
#[derive(Debug, Clone)]
pub struct FileAccess {
    allowed: Vec<PathBuf>,
    output_dir: PathBuf,
}

/// What HeyGen accepts for upload, by extension, with the bytes such a file starts with.
const ACCEPTED: &[(&str, &str)] = &[
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("mp4", "video/mp4"),
    ("webm", "video/webm"),
    ("mp3", "audio/mpeg"),
    ("wav", "audio/wav"),
    ("pdf", "application/pdf"),
    ("srt", "application/x-subrip"),
];

/// The largest file the direct-upload route is asked to take.
pub const MAX_UPLOAD_BYTES: u64 = 5 * 1024 * 1024 * 1024;

impl Default for FileAccess {
    /// The home directory may be read; videos go to `~/Downloads/HeyGen`. Without a HOME
    /// nothing is readable by default (hosts often start servers in `/`) and videos go to a
    /// `HeyGen` folder in the working directory.
    fn default() -> Self {
        match home() {
            Some(home) => Self::new(vec![home.clone()], home.join("Downloads").join("HeyGen")),
            None => Self::new(Vec::new(), PathBuf::from("HeyGen")),
        }
    }
}

impl FileAccess {
    pub fn new(allowed: Vec<PathBuf>, output_dir: PathBuf) -> Self {
        Self {
            allowed,
            output_dir,
        }
    }

    pub fn output_dir(&self) -> &Path {
        &self.output_dir
    }

    pub fn allowed(&self) -> &[PathBuf] {
        &self.allowed
    }

    /// The allowed roots that exist now, canonical, plus the client's.
    fn roots(&self, client_roots: &[PathBuf]) -> Vec<PathBuf> {
        self.allowed
            .iter()
            .chain(std::iter::once(&self.output_dir))
            .chain(client_roots)
            .filter_map(|root| root.canonicalize().ok())
            .collect()
    }

    fn describe_roots(&self, client_roots: &[PathBuf]) -> String {
        let roots: Vec<String> = self
            .roots(client_roots)
            .iter()
            .map(|r| r.display().to_string())
            .collect();
        if roots.is_empty() {
            "none".into()
        } else {
            roots.join(", ")
        }
    }

    /// A local file that may be uploaded: allowed, regular, of an accepted type and size,
    /// opened once.
    pub fn readable(&self, raw: &str, client_roots: &[PathBuf]) -> Result<LocalFile, String> {
        let requested = expand(raw, client_roots)?;
        let path = requested.canonicalize().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => not_found(raw, &requested, client_roots),
            _ => format!("cannot open {}: {e}", requested.display()),
        })?;
        let roots = self.roots(client_roots);
        let inside = |p: &Path| roots.iter().any(|root| p.starts_with(root));
        if !inside(&path) {
            return Err(format!(
                "{} is outside the directories this server may read ({}). Move the file there, or add its directory to HEYGEN_ALLOWED_DIRS.",
                path.display(),
                self.describe_roots(client_roots)
            ));
        }
        let file = open_no_follow(&path)?;
        let meta = file
            .metadata()
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if meta.is_dir() {
            return Err(format!("{} is a directory; give a file", path.display()));
        }
        if !meta.is_file() {
            return Err(format!(
                "{} is not a regular file (device, pipe or socket)",
                path.display()
            ));
        }
        if link_count(&meta) > 1 {
            return Err(format!(
                "{} has more than one hard link, so it may be a file from outside the allowed directories; upload a copy of it instead",
                path.display()
            ));
        }
        // The descriptor, not the path, is what gets read: it must be the file just checked.
        match opened_path(&file) {
            Some(real) if !inside(&real) => {
                return Err(format!(
                    "{} changed while it was opened (it now leads outside the allowed directories); nothing was sent",
                    path.display()
                ));
            }
            _ => {}
        }
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let Some((_, mime)) = ACCEPTED.iter().find(|(ext, _)| *ext == extension) else {
            return Err(format!(
                "{} has a type HeyGen does not accept; use png, jpeg, mp4, webm, mp3, wav, pdf or srt",
                path.display()
            ));
        };
        if meta.len() == 0 {
            return Err(format!("{} is empty", path.display()));
        }
        if meta.len() > MAX_UPLOAD_BYTES {
            return Err(format!(
                "{} is larger than {} GB",
                path.display(),
                MAX_UPLOAD_BYTES >> 30
            ));
        }
        check_signature(&file, &path, mime)?;
        let file_name = path
            .file_name()
            .map(|n| safe_part_name(&n.to_string_lossy()))
            .unwrap_or_default();
        Ok(LocalFile {
            file: Arc::new(file),
            from_working_dir: is_relative(raw) && client_roots.is_empty(),
            path,
            file_name,
            mime,
            len: meta.len(),
        })
    }

    /// The output directory, created if needed, canonical. It is an allowed root itself.
    pub fn writable_dir(&self) -> Result<PathBuf, String> {
        let dir = &self.output_dir;
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the output directory {}: {e}", dir.display()))?;
        dir.canonicalize()
            .map_err(|e| format!("cannot use the output directory {}: {e}", dir.display()))
    }
}

/// A local file checked for upload and held open: every read comes from this descriptor.
#[derive(Debug, Clone)]
pub struct LocalFile {
    file: Arc<std::fs::File>,
    /// Where it was found, for messages only.
    pub path: PathBuf,
    /// A relative path taken from the server's working directory (the client gave no roots).
    pub from_working_dir: bool,
    /// Safe to put in a multipart header: no quotes, backslashes or control characters.
    pub file_name: String,
    pub mime: &'static str,
    pub len: u64,
}

impl LocalFile {
    /// The file's bytes from the start, exactly `len` of them: a read fails if the file has
    /// grown or shrunk since it was checked, so a changed file never uploads as a success.
    pub fn reader(&self) -> Result<ExactReader, String> {
        let changed = |e: std::io::Error| format!("cannot read {}: {e}", self.path.display());
        let now = self.file.metadata().map_err(changed)?.len();
        if now != self.len {
            return Err(self.changed_size(now));
        }
        let mut handle = self.file.try_clone().map_err(changed)?;
        handle.rewind().map_err(changed)?;
        Ok(ExactReader {
            inner: tokio::fs::File::from_std(handle),
            expected: self.len,
            read: 0,
            path: self.path.clone(),
        })
    }

    fn changed_size(&self, now: u64) -> String {
        format!(
            "{} changed size while being uploaded ({} bytes when checked, {now} now); nothing usable was sent. Upload it again once it is complete.",
            self.path.display(),
            self.len
        )
    }
}

/// Reads exactly the length a file had when it was checked; more or fewer bytes is an error.
pub struct ExactReader {
    inner: tokio::fs::File,
    expected: u64,
    read: u64,
    path: PathBuf,
}

impl AsyncRead for ExactReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let got = (buf.filled().len() - before) as u64;
                this.read += got;
                let problem = if got == 0 && this.read < this.expected {
                    Some("shrank")
                } else if this.read > this.expected {
                    Some("grew")
                } else {
                    None
                };
                match problem {
                    Some(how) => Poll::Ready(Err(std::io::Error::other(format!(
                        "{} {how} while being uploaded ({} bytes expected); nothing usable was sent",
                        this.path.display(),
                        this.expected
                    )))),
                    None => Poll::Ready(Ok(())),
                }
            }
            other => other,
        }
    }
}

/// Opens without following a symlink at the last component and without blocking on a FIFO.
fn open_no_follow(path: &Path) -> Result<std::fs::File, String> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options.open(path).map_err(|e| match e.raw_os_error() {
        #[cfg(unix)]
        Some(libc::ELOOP) => format!(
            "{} became a symbolic link while it was checked; nothing was sent",
            path.display()
        ),
        _ => format!("cannot open {}: {e}", path.display()),
    })
}

#[cfg(unix)]
fn link_count(meta: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.nlink()
}

#[cfg(not(unix))]
fn link_count(_meta: &std::fs::Metadata) -> u64 {
    1
}

/// Where an open descriptor really is (Linux: `/proc/self/fd`), to catch a directory on the
/// way swapped for a symlink between the check and the open. Elsewhere `None`: the no-follow
/// open and the one-link rule still hold.
fn opened_path(file: &std::fs::File) -> Option<PathBuf> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())).ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = file;
        None
    }
}

/// A file name for a multipart header: CR, LF and other control characters, quotes and
/// backslashes would break out of `filename="…"`, so they become `_`.
fn safe_part_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_control() || c == '"' || c == '\\' {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// "No such file", saying which directory a relative path was looked up in.
fn not_found(raw: &str, requested: &Path, client_roots: &[PathBuf]) -> String {
    match (is_relative(raw), client_roots.first()) {
        (true, Some(root)) => format!(
            "no such file: {} (a relative path is taken from the client's first root, {}; give an absolute path if the file is elsewhere)",
            requested.display(),
            root.display()
        ),
        (true, None) => format!(
            "no such file: {} (the client gave no workspace roots, so the relative path was taken from the server's working directory; give an absolute path)",
            requested.display()
        ),
        _ => format!("no such file: {}", requested.display()),
    }
}

fn is_relative(raw: &str) -> bool {
    !raw.trim().starts_with('~') && !Path::new(raw.trim()).is_absolute()
}

/// `~` expanded; a relative path taken from the client's first root, else the working dir.
fn expand(raw: &str, client_roots: &[PathBuf]) -> Result<PathBuf, String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.contains('\0') {
        return Err("the path is empty or contains a NUL byte".into());
    }
    let path = match raw.strip_prefix("~/") {
        Some(rest) => home()
            .ok_or("HOME is not set, so ~ cannot be expanded")?
            .join(rest),
        None => PathBuf::from(raw),
    };
    if path.is_absolute() {
        return Ok(path);
    }
    let base = match client_roots.first() {
        Some(root) => root.clone(),
        None => std::env::current_dir().map_err(|e| format!("no working directory: {e}"))?,
    };
    Ok(base.join(path))
}

pub fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// A file name chosen by the caller: one plain component, nothing that climbs or hides.
pub fn plain_file_name(name: &str) -> Result<&str, String> {
    let mut components = Path::new(name).components();
    let single = matches!(
        (components.next(), components.next()),
        (Some(Component::Normal(_)), None)
    );
    if !single || name.starts_with('.') || name.contains(['/', '\\', '\0']) || name.len() > 200 {
        return Err(format!(
            "file_name {name:?} must be a plain file name (no directories, no leading dot, at most 200 bytes)"
        ));
    }
    Ok(name)
}

/// The first bytes must match the extension's type, so a renamed file is caught here rather
/// than after the upload.
fn check_signature(file: &std::fs::File, path: &Path, mime: &str) -> Result<(), String> {
    let mut head = [0u8; 16];
    let mut reader = file;
    let read = reader
        .read(&mut head)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let head = &head[..read];
    let ok = match mime {
        "image/png" => head.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => head.starts_with(&[0xFF, 0xD8, 0xFF]),
        "application/pdf" => head.starts_with(b"%PDF"),
        "video/mp4" => head.get(4..8) == Some(b"ftyp"),
        "video/webm" => head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]),
        "audio/wav" => head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WAVE"),
        "audio/mpeg" => {
            head.starts_with(b"ID3")
                || (head.len() > 1 && head[0] == 0xFF && head[1] & 0xE0 == 0xE0)
        }
        _ => {
            std::str::from_utf8(head).is_ok()
                || head
                    .iter()
                    .all(|b| !b.is_ascii_control() || b.is_ascii_whitespace())
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{} does not look like its type ({mime}): its first bytes do not match",
            path.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_only() {
        assert!(plain_file_name("launch video.mp4").is_ok());
        for bad in [
            "../x.mp4",
            "a/b.mp4",
            ".hidden",
            "..",
            "",
            "/etc/passwd",
            "a\\b",
        ] {
            assert!(plain_file_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn part_names_cannot_break_the_header() {
        assert_eq!(safe_part_name("a\r\nX-Evil: 1\".png"), "a__X-Evil: 1_.png");
    }
}
