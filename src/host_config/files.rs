//! The two file operations of a merge: a backup beside the file, and an atomic replace.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Error;

/// Copies the file to `<file>.bak-<unix time>` (a number added if that exists).
pub(super) fn back_up(file: &Path) -> Result<PathBuf, Error> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut name = file.as_os_str().to_owned();
    name.push(format!(".bak-{now}"));
    let mut backup = PathBuf::from(&name);
    let mut n = 1;
    while backup.exists() {
        n += 1;
        let mut numbered = name.clone();
        numbered.push(format!("-{n}"));
        backup = PathBuf::from(numbered);
    }
    std::fs::copy(file, &backup).map_err(|e| {
        format!(
            "cannot back {} up to {} ({e}); nothing was changed",
            file.display(),
            backup.display()
        )
    })?;
    Ok(backup)
}

/// Writes a temporary file beside `file` and renames it into place: a reader sees the old
/// file or the new one, never half of one. An existing file's permissions carry over; a new
/// one is readable by its owner only (it will hold a key).
pub(super) fn replace_file(file: &Path, text: &str) -> Result<(), Error> {
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create the folder {}: {e}", dir.display()))?;
    let cannot = |e: std::io::Error| format!("cannot write {}: {e}", file.display());
    let mut temp = tempfile::Builder::new()
        .prefix(".heygen-mcp-config-")
        .tempfile_in(dir)
        .map_err(cannot)?;
    temp.write_all(text.as_bytes()).map_err(cannot)?;
    temp.as_file().sync_all().map_err(cannot)?;
    if let Ok(meta) = std::fs::metadata(file) {
        std::fs::set_permissions(temp.path(), meta.permissions()).map_err(cannot)?;
    }
    temp.persist(file).map_err(|e| cannot(e.error))?;
    Ok(())
}
