//! The folder checks: where download_video saves, and the folders tools may read.

use std::io::Write;
use std::path::PathBuf;

use super::{Level, Report};
use crate::files::FileAccess;

/// The folder download_video saves into: there (or creatable), and writable.
pub(super) fn output_folder(
    report: &mut Report<'_, impl Write>,
    files: &FileAccess,
    used: bool,
) -> std::io::Result<()> {
    let dir = files.output_dir();
    // Without download_video (read-only, or no files toolset) the folder is never written.
    let failing = if used { Level::Fail } else { Level::Warn };
    let unused = if used {
        ""
    } else {
        " (not used now: download_video is not offered)"
    };
    let remedy = "Set HEYGEN_OUTPUT_DIR (--output-dir) to a folder you can write, or fix this one's permissions.";
    let existed = dir.exists();
    if existed && !dir.is_dir() {
        return report.line(
            failing,
            "output folder",
            &format!(
                "{} is not a folder (a file is in the way): downloads will fail{unused}. {remedy}",
                dir.display()
            ),
        );
    }
    let canonical = match files.writable_dir() {
        Ok(canonical) => canonical,
        Err(problem) => {
            return report.line(
                failing,
                "output folder",
                &format!("{problem}: downloads will fail{unused}. {remedy}"),
            );
        }
    };
    let probe = tempfile::Builder::new()
        .prefix(".heygen-doctor-")
        .tempfile_in(&canonical);
    if let Err(e) = probe {
        return report.line(
            failing,
            "output folder",
            &format!(
                "{} is not writable ({e}): downloads will fail{unused}. {remedy}",
                canonical.display()
            ),
        );
    }
    let created = if existed {
        ""
    } else {
        " (it did not exist; created it now)"
    };
    if dir.is_relative() {
        return report.line(
            Level::Warn,
            "output folder",
            &format!(
                "{} is writable{created}, but the path is relative: a host may start the server in another folder (often /). Set HEYGEN_OUTPUT_DIR to an absolute path.",
                canonical.display()
            ),
        );
    }
    report.line(
        Level::Ok,
        "output folder",
        &format!("{} is writable{created}{unused}", canonical.display()),
    )
}

/// The folders uploads may come from (besides the output folder and the host's roots).
pub(super) fn allowed_folders(
    report: &mut Report<'_, impl Write>,
    allowed: &[PathBuf],
) -> std::io::Result<()> {
    if allowed.is_empty() {
        return report.line(
            Level::Ok,
            "allowed folders",
            "none besides the output folder and the folders the host shares (HEYGEN_ALLOWED_DIRS is empty)",
        );
    }
    let listed: Vec<String> = allowed.iter().map(|d| d.display().to_string()).collect();
    let missing: Vec<String> = allowed
        .iter()
        .filter(|d| !d.is_dir())
        .map(|d| d.display().to_string())
        .collect();
    if missing.is_empty() {
        report.line(
            Level::Ok,
            "allowed folders",
            &format!(
                "{}, the output folder and the folders the host shares (uploads may come from these)",
                listed.join(", ")
            ),
        )
    } else {
        report.line(
            Level::Warn,
            "allowed folders",
            &format!(
                "{}; not a folder here: {} (uploads from it will be refused; check HEYGEN_ALLOWED_DIRS)",
                listed.join(", "),
                missing.join(", ")
            ),
        )
    }
}
