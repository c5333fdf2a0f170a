//! Media in results: structured results with extra blocks, and images shown inline.

use std::time::Duration;

use base64::Engine;
use rmcp::model::{CallToolResult, ContentBlock};
use serde::Serialize;

use crate::api::HeyGenClient;

/// Images shown inline to the model are capped, so a huge frame cannot flood the context.
pub const MAX_INLINE_IMAGE_BYTES: usize = 1024 * 1024;

/// A structured result (text copy included) with more content blocks after it.
pub(super) fn structured_with<T: Serialize>(value: &T, extra: Vec<ContentBlock>) -> CallToolResult {
    let mut result = CallToolResult::structured(serde_json::to_value(value).unwrap_or_default());
    result.content.extend(extra);
    result
}

/// An inline image fetch gives up after this long in total (a dripping host cannot hold a
/// tool call), or at once when the call is cancelled.
pub const INLINE_IMAGE_DEADLINE: Duration = Duration::from_secs(10);

/// An image from a media URL as inline content, if it really is an image (by its bytes, not
/// its label) and small enough; otherwise why not, in words for the result.
pub(super) async fn inline_image(client: &HeyGenClient, url: &str) -> Result<ContentBlock, String> {
    let fetch = async {
        let mut response = client.fetch_media(url).await.map_err(|e| e.to_string())?;
        if response
            .content_length()
            .is_some_and(|n| n as usize > MAX_INLINE_IMAGE_BYTES)
        {
            return Err(format!(
                "it is larger than {} KB",
                MAX_INLINE_IMAGE_BYTES >> 10
            ));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("the download was cut off ({e})"))?
        {
            if bytes.len() + chunk.len() > MAX_INLINE_IMAGE_BYTES {
                return Err(format!(
                    "it is larger than {} KB",
                    MAX_INLINE_IMAGE_BYTES >> 10
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        let mime = image_type(&bytes).ok_or("its content is not a PNG, JPEG, GIF or WebP image")?;
        Ok(ContentBlock::image(
            base64::engine::general_purpose::STANDARD.encode(&bytes),
            mime,
        ))
    };
    tokio::select! {
        () = client.cancelled() => Err("the call was cancelled".into()),
        () = tokio::time::sleep(INLINE_IMAGE_DEADLINE) => {
            Err(format!("it did not arrive within {} s", INLINE_IMAGE_DEADLINE.as_secs()))
        }
        fetched = fetch => fetched,
    }
}

/// The image type a file's first bytes show, whatever its label says.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Some("image/webp")
    } else {
        None
    }
}
