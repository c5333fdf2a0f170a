//! Media in results: saving a download atomically, and images shown inline.

use std::path::Path;

use base64::Engine;
use rmcp::RoleServer;
use rmcp::model::{CallToolResult, ContentBlock};
use rmcp::service::RequestContext;
use serde::Serialize;
use tokio::io::AsyncWriteExt;

use crate::api::{ApiError, HeyGenClient};

/// Images shown inline to the model are capped, so a huge frame cannot flood the context.
pub const MAX_INLINE_IMAGE_BYTES: usize = 1024 * 1024;

/// Streams into a hidden temporary file beside the target, then renames it into place: the
/// target is either absent or complete, never partial. Cancellation drops the temporary file.
pub(super) async fn save_atomically(
    mut response: reqwest::Response,
    dir: &Path,
    target: &Path,
    overwrite: bool,
    ctx: &RequestContext<RoleServer>,
) -> Result<u64, ApiError> {
    let io =
        |what: &str, e: std::io::Error| ApiError::InvalidInput(format!("could not {what}: {e}"));
    let temp = tempfile::Builder::new()
        .prefix(".heygen-download-")
        .tempfile_in(dir)
        .map_err(|e| io("create a temporary file", e))?;
    let (std_file, temp_path) = temp.into_parts();
    let mut file = tokio::fs::File::from_std(std_file);
    let mut size = 0u64;
    loop {
        let chunk = tokio::select! {
            () = ctx.ct.cancelled() => return Err(ApiError::InvalidInput("cancelled by the client".into())),
            chunk = response.chunk() => chunk,
        };
        match chunk {
            Ok(Some(bytes)) => {
                file.write_all(&bytes)
                    .await
                    .map_err(|e| io("write the file", e))?;
                size += bytes.len() as u64;
            }
            Ok(None) => break,
            Err(e) => {
                return Err(ApiError::Transport {
                    kind: crate::api::TransportKind::Other,
                    message: format!("the download was cut off after {size} bytes ({e})"),
                    maybe_applied: false,
                });
            }
        }
    }
    file.sync_all().await.map_err(|e| io("flush the file", e))?;
    // Temporary files are private (0600); a saved video is an ordinary user file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let readable = std::fs::Permissions::from_mode(0o644);
        file.set_permissions(readable)
            .await
            .map_err(|e| io("set the file's permissions", e))?;
    }
    drop(file);
    let placed = if overwrite {
        temp_path.persist(target).map_err(|e| e.error)
    } else {
        temp_path.persist_noclobber(target).map_err(|e| e.error)
    };
    placed.map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => ApiError::InvalidInput(format!(
            "{} appeared meanwhile: pass overwrite=true, or another file_name",
            target.display()
        )),
        _ => io("move the file into place", e),
    })?;
    Ok(size)
}

/// A structured result (text copy included) with more content blocks after it.
pub(super) fn structured_with<T: Serialize>(value: &T, extra: Vec<ContentBlock>) -> CallToolResult {
    let mut result = CallToolResult::structured(serde_json::to_value(value).unwrap_or_default());
    result.content.extend(extra);
    result
}

/// An image from a media URL as inline content, if it is an image and small enough.
pub(super) async fn inline_image(client: &HeyGenClient, url: &str) -> Option<ContentBlock> {
    let mut response = client.fetch_media(url).await.ok()?;
    let mime = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)?
        .to_str()
        .ok()?
        .to_owned();
    if !mime.starts_with("image/")
        || response
            .content_length()
            .is_some_and(|n| n as usize > MAX_INLINE_IMAGE_BYTES)
    {
        return None;
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.ok()? {
        if bytes.len() + chunk.len() > MAX_INLINE_IMAGE_BYTES {
            return None;
        }
        bytes.extend_from_slice(&chunk);
    }
    Some(ContentBlock::image(
        base64::engine::general_purpose::STANDARD.encode(&bytes),
        mime,
    ))
}
