//! A file opened once for upload: the no-follow open, the checks on the open descriptor,
//! and a reader that sends exactly the bytes that were checked.

use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};

/// A local file checked for upload and held open: every read comes from this descriptor.
#[derive(Debug, Clone)]
pub struct LocalFile {
    pub(super) file: Arc<std::fs::File>,
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
pub(super) fn open_no_follow(path: &Path) -> Result<std::fs::File, String> {
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
pub(super) fn link_count(meta: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.nlink()
}

#[cfg(not(unix))]
pub(super) fn link_count(_meta: &std::fs::Metadata) -> u64 {
    1
}

/// Where an open descriptor really is (Linux: `/proc/self/fd`), to catch a directory on the
/// way swapped for a symlink between the check and the open. Elsewhere `None`: the no-follow
/// open and the one-link rule still hold.
pub(super) fn opened_path(file: &std::fs::File) -> Option<PathBuf> {
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
pub(super) fn safe_part_name(name: &str) -> String {
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

/// The first bytes must match the extension's type, so a renamed file is caught here rather
/// than after the upload.
pub(super) fn check_signature(file: &std::fs::File, path: &Path, mime: &str) -> Result<(), String> {
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
    fn part_names_cannot_break_the_header() {
        assert_eq!(safe_part_name("a\r\nX-Evil: 1\".png"), "a__X-Evil: 1_.png");
    }
}
