//! Local files: save a finished video, upload a file, and turn path items into asset ids.

use std::path::PathBuf;
use std::time::Duration;

use rmcp::handler::server::tool::schema_for_output;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Resource};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::HeyGenServer;
use super::download::{Target, save, with_extension};
use super::error::{Op, ToolError};
use super::media::structured_with;
use crate::api::ApiError;
use crate::api::types::{FileInput, VideoDetail, VideoStatus};
use crate::files::plain_file_name;
use crate::schema::{ID_PATTERN, portable, strict_input};

const DOWNLOAD: Op = Op::new("download video", "list_videos");
const UPLOAD: Op = Op::new("upload", "");

/// Which file of a finished video to save.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(inline)]
pub enum VideoAsset {
    #[default]
    Video,
    Captioned,
    Subtitles,
    Thumbnail,
    Gif,
}

impl VideoAsset {
    fn url(self, video: &VideoDetail) -> Option<&str> {
        match self {
            Self::Video => video.video_url.as_deref(),
            Self::Captioned => video.captioned_video_url.as_deref(),
            Self::Subtitles => video.subtitle_url.as_deref(),
            Self::Thumbnail => video.thumbnail_url.as_deref(),
            Self::Gif => video.gif_url.as_deref(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Video => "video",
            Self::Captioned => "captioned",
            Self::Subtitles => "subtitles",
            Self::Thumbnail => "thumbnail",
            Self::Gif => "gif",
        }
    }

    /// The type assumed when neither the bytes nor the Content-Type tell it.
    fn fallback(self) -> (&'static str, &'static str) {
        match self {
            Self::Video | Self::Captioned => ("mp4", "video/mp4"),
            Self::Subtitles => ("srt", "application/x-subrip"),
            Self::Thumbnail => ("jpg", "image/jpeg"),
            Self::Gif => ("gif", "image/gif"),
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(transform = strict_input)]
pub struct DownloadArgs {
    /// Id of a completed video.
    #[schemars(regex(pattern = ID_PATTERN))]
    pub video_id: String,
    /// video (default), captioned (subtitles burned in), subtitles (SRT), thumbnail or gif.
    #[serde(default)]
    pub asset: Option<VideoAsset>,
    /// File name to save as, without directories (default: from the title and id).
    #[serde(default)]
    #[schemars(length(min = 1, max = 200), regex(pattern = r"^[^./\\][^/\\]*$"))]
    pub file_name: Option<String>,
    /// Replace an existing file of that name (default false).
    #[serde(default)]
    pub overwrite: Option<bool>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct Downloaded {
    pub path: String,
    pub uri: String,
    pub size_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    pub video_id: String,
    pub asset: String,
    pub next_step: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(transform = strict_input)]
pub struct UploadArgs {
    /// Local file to upload (png, jpeg, mp4, webm, mp3, wav, pdf or srt): absolute, ~/..., or relative to the workspace.
    #[schemars(length(min = 1, max = 4096))]
    pub path: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct Uploaded {
    pub asset_id: String,
    pub file_name: String,
    pub mime_type: String,
    pub size_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub next_step: String,
}

#[tool_router(router = file_tools, vis = "pub(super)")]
impl HeyGenServer {
    /// Save a completed video (or captioned cut, SRT, thumbnail, GIF) to a local file in the output directory; never overwrites unless overwrite=true. Returns the path and a file:// link.
    #[tool(
        title = "Download video",
        output_schema = schema_for_output::<Downloaded>(),
        annotations(read_only_hint = false, destructive_hint = false, idempotent_hint = true, open_world_hint = true)
    )]
    pub async fn download_video(
        &self,
        Parameters(args): Parameters<DownloadArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ToolError> {
        let fail = |e| self.fail(DOWNLOAD, Some(&args.video_id), e);
        let dir = self
            .settings()
            .files
            .writable_dir()
            .map_err(|e| fail(ApiError::InvalidInput(e)))?;
        let asset = args.asset.unwrap_or_default();
        // Checked before any request: a bad name must not cost a call.
        let chosen_name = match &args.file_name {
            Some(name) => Some(plain_file_name(name).map_err(|e| fail(ApiError::InvalidInput(e)))?),
            None => None,
        };
        let mut video = self.client.get_video(&args.video_id).await.map_err(fail)?;
        let url = ready_url(&video, asset).map_err(fail)?;
        let overwrite = args.overwrite.unwrap_or(false);
        // Signed links expire; HeyGen's storage then answers 403 or 404. A fresh get_video
        // signs new ones.
        let response = match self.client.fetch_media(&url).await {
            Err(e) if matches!(e.status(), Some(403 | 404)) => {
                video = self.client.get_video(&args.video_id).await.map_err(fail)?;
                let fresh = ready_url(&video, asset).map_err(fail)?;
                self.client.fetch_media(&fresh).await.map_err(fail)?
            }
            other => other.map_err(fail)?,
        };
        // The name's extension is decided by what arrives, not by the link or the name asked for.
        let name = |extension: &str| match chosen_name {
            Some(name) => with_extension(name, extension),
            None => default_name(&video, asset, extension),
        };
        // Most likely name, checked before a byte is fetched; the rename re-checks at the end.
        let likely = dir.join(name(asset.fallback().0));
        if !overwrite && likely.exists() {
            return Err(fail(ApiError::InvalidInput(format!(
                "{} already exists: pass overwrite=true, or another file_name",
                likely.display()
            ))));
        }
        let target = Target {
            dir: &dir,
            name: &name,
            overwrite,
            fallback: asset.fallback(),
        };
        let saved = save(&self.client, response, target, &ctx)
            .await
            .map_err(fail)?;
        let uri = url::Url::from_file_path(&saved.path)
            .map(String::from)
            .unwrap_or_default();
        let size = saved.size;
        let content_type = Some(saved.content_type.to_owned());
        let name = saved.file_name.clone();
        let result = Downloaded {
            path: saved.path.display().to_string(),
            uri: uri.clone(),
            size_bytes: size,
            content_type: content_type.clone(),
            video_id: video.id.clone(),
            asset: asset.name().into(),
            next_step: format!(
                "Saved: give the user the path {} (the uri opens it).",
                saved.path.display()
            ),
        };
        let mut link = Resource::new(uri, name).with_size(size);
        link.mime_type = content_type;
        Ok(structured_with(
            &result,
            vec![ContentBlock::resource_link(link)],
        ))
    }

    /// Upload a local file (png, jpeg, mp4, webm, mp3, wav, pdf, srt) and get an asset_id for files: {type: asset_id}. create_video_agent also takes {type: path} items directly.
    #[tool(
        title = "Upload file",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    pub async fn upload_asset(
        &self,
        Parameters(UploadArgs { path }): Parameters<UploadArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<rmcp::Json<Uploaded>, ToolError> {
        let fail = |e| self.fail(UPLOAD, Some(&path), e);
        let roots = client_roots(&ctx).await;
        let file = self
            .settings()
            .files
            .readable(&path, &roots)
            .map_err(|e| fail(ApiError::InvalidInput(e)))?;
        let asset = self
            .client
            .upload(&file, &idempotency_key())
            .await
            .map_err(fail)?;
        Ok(rmcp::Json(Uploaded {
            asset_id: asset.asset_id.clone(),
            file_name: file.file_name,
            mime_type: asset.mime_type.unwrap_or_else(|| file.mime.to_owned()),
            size_bytes: asset.size_bytes.unwrap_or(file.len),
            url: asset.url,
            next_step: format!(
                "{}Pass {{\"type\": \"asset_id\", \"asset_id\": \"{}\"}} in the files of a video request{}.",
                if file.from_working_dir {
                    format!(
                        "The relative path was taken from the server's working directory ({}), as the client gave no workspace roots. ",
                        file.path.display()
                    )
                } else {
                    String::new()
                },
                asset.asset_id,
                self.listed().pick(
                    "create_video_agent",
                    " (create_video_agent or send_video_agent_message)",
                    ""
                ),
            ),
        }))
    }
}

impl HeyGenServer {
    /// Uploads every `{type: path}` item and puts its asset_id in its place.
    pub(super) async fn upload_paths(
        &self,
        files: &mut Option<Vec<FileInput>>,
        ctx: &RequestContext<RoleServer>,
    ) -> Result<(), ToolError> {
        let Some(files) = files else { return Ok(()) };
        if !files.iter().any(|f| matches!(f, FileInput::Path { .. })) {
            return Ok(());
        }
        if self.settings().remote {
            return Err(self.fail(
                UPLOAD,
                Some("files"),
                ApiError::InvalidInput(
                    "this server runs remotely and cannot read files on your computer: give each file as {type: url, url} (a public link) or {type: base64, media_type, data}".into(),
                ),
            ));
        }
        let roots = client_roots(ctx).await;
        for (index, item) in files.iter_mut().enumerate() {
            let FileInput::Path { path } = item else {
                continue;
            };
            let fail = |e| self.fail(UPLOAD, Some(&format!("files[{index}] ({path})")), e);
            let file = self
                .settings()
                .files
                .readable(path, &roots)
                .map_err(|e| fail(ApiError::InvalidInput(e)))?;
            let asset = self
                .client
                .upload(&file, &idempotency_key())
                .await
                .map_err(fail)?;
            *item = FileInput::AssetId {
                asset_id: asset.asset_id,
            };
        }
        Ok(())
    }
}

/// The media link for `asset`, if the video has it.
fn ready_url(video: &VideoDetail, asset: VideoAsset) -> Result<String, ApiError> {
    if let Some(url) = asset.url(video) {
        return Ok(url.to_owned());
    }
    Err(ApiError::InvalidInput(match &video.status {
        VideoStatus::Completed => format!("this video has no {} file", asset.name()),
        VideoStatus::Failed => "the video failed, so there is nothing to download".to_owned(),
        status => format!("the video is still {status}: call wait_for_video first, then download"),
    }))
}

/// `title-words-video_id[-captioned].ext`, safe on every filesystem.
fn default_name(video: &VideoDetail, asset: VideoAsset, extension: &str) -> String {
    let slug: String = video
        .title
        .as_deref()
        .unwrap_or("heygen")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let words: Vec<&str> = slug.split('-').filter(|w| !w.is_empty()).take(8).collect();
    // File names are limited (255 bytes on most filesystems): keep the title part short.
    let mut slug = String::new();
    for word in words {
        if slug.len() + word.len() + 1 > 80 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(word);
    }
    if slug.is_empty() {
        slug.push_str("heygen");
    }
    let suffix = match asset {
        VideoAsset::Video => String::new(),
        other => format!("-{}", other.name()),
    };
    let id: String = video
        .id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    format!("{slug}-{id}{suffix}.{extension}")
}

/// The client's MCP roots as local directories, when it offers them (asked per call: roots
/// change as the user opens folders). Clients without roots, or that don't answer in time,
/// give none. Roots are deprecated for 2026-07-28 sessions (SEP-2577), and current before.
#[allow(deprecated)]
pub(super) async fn client_roots(ctx: &RequestContext<RoleServer>) -> Vec<PathBuf> {
    let offers_roots = ctx
        .peer
        .peer_info()
        .is_some_and(|info| info.capabilities.roots.is_some());
    if !offers_roots {
        return Vec::new();
    }
    let asked = tokio::time::timeout(Duration::from_secs(3), ctx.peer.list_roots()).await;
    match asked {
        Ok(Ok(list)) => list
            .roots
            .iter()
            .filter_map(|root| url::Url::parse(&root.uri).ok()?.to_file_path().ok())
            .collect(),
        _ => Vec::new(),
    }
}

/// One key per upload: HeyGen answers a repeated key with the first upload's result.
fn idempotency_key() -> String {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    format!(
        "heygen-mcp-{:016x}{:08x}",
        hasher.finish(),
        std::process::id()
    )
}
