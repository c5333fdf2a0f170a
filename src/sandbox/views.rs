//! Wire shapes of the responses (`GetSessionResponse`, `VideoDetail`, `SessionResource`,
//! `StyleItem`, …), with media URLs pointing back at the sandbox.

use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::brand;
use super::session::{Message, Session, visible_messages};
use super::state::{DEFAULT_MEDIA_TTL_SECS, Resource, Shared, unix_now};
use super::video::{Video, VideoState};

/// Builds absolute media URLs that expire like presigned storage URLs.
#[derive(Debug, Clone)]
pub(crate) struct Links {
    pub base: String,
    expires: i64,
}

impl Links {
    /// The bound address when known (Sandbox::start), else the request's Host header.
    pub fn new(shared: &Shared, headers: &HeaderMap) -> Self {
        let base = shared.base_url.clone().unwrap_or_else(|| {
            let host = headers
                .get(axum::http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("127.0.0.1");
            format!("http://{host}")
        });
        let ttl = if shared.faults().expire_media {
            -1
        } else {
            DEFAULT_MEDIA_TTL_SECS
        };
        Self {
            base,
            expires: unix_now() + ttl,
        }
    }

    /// A URL valid until the expiry.
    pub fn signed(&self, path: &str) -> String {
        format!("{}{path}?expires={}", self.base, self.expires)
    }

    /// A URL that never expires (public CDN content).
    pub fn public(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

pub(crate) fn session_item(session: &Session) -> Value {
    json!({
        "session_id": session.id,
        "title": session.title,
        "created_at": session.created_at,
    })
}

pub(crate) fn session(session: &Session, now: f64) -> Value {
    let messages: Vec<Value> = visible_messages(session).map(message).collect();
    json!({
        "session_id": session.id,
        "status": session.status(),
        "progress": session.progress(now),
        "title": session.title,
        "video_id": session.video_id(),
        "created_at": session.created_at,
        "messages": messages,
    })
}

fn message(message: &Message) -> Value {
    json!({
        "role": message.role,
        "content": message.content,
        "type": message.kind,
        "created_at": message.created_at,
        "resource_ids": message.resource_ids,
    })
}

pub(crate) fn video(video: &Video, now: f64, unix_at: impl Fn(f64) -> i64, links: &Links) -> Value {
    let state = video.state(now);
    let mut out = json!({
        "id": video.id,
        "title": video.shown_title(now),
        "status": match state {
            VideoState::Pending => "pending",
            VideoState::Processing => "processing",
            VideoState::Completed { .. } => "completed",
            VideoState::Failed { .. } => "failed",
        },
        "created_at": video.created_at,
        "completed_at": null,
        "video_url": null,
        "thumbnail_url": null,
        "gif_url": null,
        "captioned_video_url": null,
        "subtitle_url": null,
        "duration": null,
        "folder_id": null,
        "output_language": null,
        "failure_code": null,
        "failure_message": null,
        "video_page_url": null,
    });
    match state {
        VideoState::Completed { at } => {
            let media = |file: &str| links.signed(&format!("/media/videos/{}/{file}", video.id));
            out["completed_at"] = json!(unix_at(at));
            out["video_url"] = json!(media("video.mp4"));
            out["thumbnail_url"] = json!(media("thumbnail.png"));
            out["captioned_video_url"] = json!(media("captioned.mp4"));
            out["subtitle_url"] = json!(media("subtitles.srt"));
            // The simulated length; the file itself is a 2-second placeholder clip.
            out["duration"] = json!(video.duration);
        }
        VideoState::Failed {
            reason: Some(reason),
            ..
        } => {
            out["failure_code"] = json!(reason.code);
            out["failure_message"] = json!(reason.message);
        }
        // As heygen-cli #321 shows it: no failure fields at all, not even null ones.
        VideoState::Failed { reason: None, .. } => {
            if let Some(fields) = out.as_object_mut() {
                fields.remove("failure_code");
                fields.remove("failure_message");
            }
        }
        VideoState::Pending | VideoState::Processing => {}
    }
    out
}

/// Scene background when no brand kit gives a primary colour: the storyboards' blue.
const DEFAULT_SCENE_COLOR: &str = "#1E3A5F";

/// `VideoScenesResponse` of a completed video: one scene per storyboard scene, each a
/// colour background (the brand kit's primary colour when one was applied), the chosen
/// avatar as its only element, and the scene's text as its script.
pub(crate) fn scenes(video: &Video) -> Value {
    let choices = &video.choices;
    let background = choices
        .brand_kit_id
        .as_deref()
        .and_then(brand::brand_kit)
        .and_then(brand::BrandKit::primary_color)
        .unwrap_or(DEFAULT_SCENE_COLOR);
    let scenes: Vec<Value> = video
        .scenes
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let n = i + 1;
            let elements: Vec<Value> = choices
                .avatar_id
                .iter()
                .map(|avatar_id| {
                    json!({
                        "id": format!("sbx_element_{n}_avatar"),
                        "type": "avatar",
                        "avatar_id": avatar_id,
                    })
                })
                .collect();
            json!({
                "id": format!("sbx_scene_{n}"),
                "background": { "type": "color", "color": background },
                "elements": elements,
                "script": [{
                    "id": format!("sbx_script_{n}"),
                    "type": "text",
                    "text": text,
                    "voice_id": choices.voice_id,
                }],
            })
        })
        .collect();
    json!({
        "video_id": video.id,
        "video": {
            "title": video.title,
            "aspect_ratio": if video.portrait { "9:16" } else { "16:9" },
            // The simulated render is 1080p; the file served is a small placeholder.
            "resolution": "1080p",
            // Every Video Agent video comes with a captioned copy and subtitles.
            "caption": { "enabled": true },
            "brand_glossary_id": choices.brand_glossary_id,
        },
        "scenes": scenes,
    })
}

pub(crate) fn resource(resource: &Resource, links: &Links) -> Value {
    let url = links.signed(&format!("/media/storyboards/{}.png", resource.id));
    let (width, height) = if resource.portrait {
        (360, 640)
    } else {
        (640, 360)
    };
    json!({
        "resource_id": resource.id,
        "resource_type": "image",
        "source_type": "generated",
        "url": url,
        "thumbnail_url": url,
        "preview_url": url,
        "created_at": resource.created_at,
        "metadata": {
            "kind": "storyboard_scene",
            "scene": resource.scene,
            "scene_count": resource.scenes,
            "text": resource.text,
            "revision": resource.revision,
            "width": width,
            "height": height,
        },
    })
}

/// The sandbox's style catalogue: (style_id, name, tags, aspect ratio).
pub(crate) const STYLES: &[(&str, &str, &[&str], &str)] = &[
    (
        "sbx_style_cinematic",
        "Cinematic Sandbox",
        &["cinematic"],
        "16:9",
    ),
    ("sbx_style_retro", "Retro Tech", &["retro-tech"], "16:9"),
    (
        "sbx_style_pop",
        "Pop Culture",
        &["pop-culture", "iconic-artist"],
        "16:9",
    ),
    ("sbx_style_paper", "Handmade Paper", &["handmade"], "16:9"),
    ("sbx_style_print", "Print Poster", &["print"], "1:1"),
    (
        "sbx_style_vertical",
        "Vertical Cinematic",
        &["cinematic"],
        "9:16",
    ),
];

pub(crate) fn style(index: usize, links: &Links) -> Option<Value> {
    let (id, name, tags, aspect) = STYLES.get(index)?;
    Some(json!({
        "style_id": id,
        "name": name,
        "thumbnail_url": links.public(&format!("/media/styles/{id}.png")),
        // No preview clip exists for sandbox styles; null rather than a stand-in.
        "preview_video_url": null,
        "tags": tags,
        "aspect_ratio": aspect,
    }))
}
