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

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

mod local;

pub use local::{ExactReader, LocalFile};
use local::{check_signature, link_count, open_no_follow, opened_path, safe_part_name};

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
}
