//! The next step a result tells the model, in terms it can act on: a tool that is listed
//! and the id to give it. When the tool a step would name is not listed (read-only, or its
//! toolset off), the step says what the user can do instead — never "call X" for an X the
//! model cannot call.

use super::toolsets::Listed;
use crate::api::types::{SessionStatus, VideoDetail, VideoStatus};

const HEYGEN_APP: &str = "HeyGen (https://app.heygen.com)";

/// What to do next with a session in `status`.
pub fn session(listed: &Listed, status: &SessionStatus, video_id: Option<&str>) -> String {
    let wait = listed.has("wait_for_video");
    match (status, video_id) {
        (SessionStatus::Thinking, _) if wait => {
            "The agent is working on the script and scenes: call wait_for_video with this session_id.".into()
        }
        (SessionStatus::Thinking, _) => {
            "The agent is working on the script and scenes; check again in a few minutes.".into()
        }
        (SessionStatus::WaitingForInput, _) if listed.has("send_video_agent_message") => {
            "The agent asked a question (newest model message): relay it to the user and answer with send_video_agent_message.".into()
        }
        (SessionStatus::WaitingForInput, _) => format!(
            "The agent asked a question (newest model message): relay it to the user, who can answer in {HEYGEN_APP}."
        ),
        (SessionStatus::Reviewing, _) => storyboard(listed),
        (SessionStatus::Generating, Some(id)) if wait => format!(
            "Rendering video {id} (5-10x the video's length): call wait_for_video with video_id {id}."
        ),
        (SessionStatus::Generating, None) if wait => {
            "Rendering is starting: call wait_for_video with this session_id.".into()
        }
        (SessionStatus::Generating, _) => {
            "Rendering (5-10x the video's length); check again later.".into()
        }
        (SessionStatus::Completed, Some(id)) if listed.has("get_video") => {
            format!("Done: call get_video with video_id {id} for the links.")
        }
        (SessionStatus::Completed, _) if listed.has("list_video_agent_session_videos") => {
            "Done: call list_video_agent_session_videos for the session's videos.".into()
        }
        (SessionStatus::Completed, _) => format!("Done: the video is in {HEYGEN_APP}."),
        (SessionStatus::Failed, _) => format!(
            "The session failed (see the newest messages): tell the user why, then {}.",
            start_again(listed)
        ),
        (SessionStatus::Other(status), _) => unknown_status(listed, status),
    }
}

/// A storyboard (or question) waits for the user.
pub fn storyboard(listed: &Listed) -> String {
    let show = if listed.has("get_video_agent_resource") {
        "show the user the newest model message and its frames (get_video_agent_resource returns each image)"
    } else {
        "show the user the newest model message"
    };
    if listed.has("send_video_agent_message") {
        let wait = if listed.has("wait_for_video") {
            " and call wait_for_video again"
        } else {
            ""
        };
        format!(
            "The agent needs the user: {show}, then answer with send_video_agent_message (approve, or ask for changes){wait}."
        )
    } else {
        format!(
            "The agent needs the user: {show}; they can approve it or ask for changes in {HEYGEN_APP}."
        )
    }
}

/// A status this server does not know: never read as "still working". Some need the user
/// (`pending_consent`: an avatar's owner must consent in HeyGen's web app).
pub fn unknown_status(listed: &Listed, status: &str) -> String {
    let again = if listed.has("wait_for_video") {
        ", then call wait_for_video again"
    } else {
        ""
    };
    let hint = if status.contains("consent") {
        format!(
            "It usually means the chosen avatar needs its owner's consent: ask the user to approve it in {HEYGEN_APP}{again}."
        )
    } else {
        format!("It may need the user: ask them to check the session in {HEYGEN_APP}{again}.")
    };
    format!("HeyGen reports status {status:?}, which this server does not know. {hint}")
}

/// What to do next with a video.
pub fn video(listed: &Listed, video: &VideoDetail) -> String {
    let id = &video.id;
    match &video.status {
        VideoStatus::Pending | VideoStatus::Processing if listed.has("wait_for_video") => format!(
            "Still rendering (5-10x the video's length): call wait_for_video with video_id {id}."
        ),
        VideoStatus::Pending | VideoStatus::Processing => {
            "Still rendering (5-10x the video's length); check again later.".into()
        }
        VideoStatus::Completed => {
            let save = if listed.has("download_video") {
                "share them or save the file with download_video soon"
            } else {
                "share them soon"
            };
            format!(
                "Ready. video_url (and the captioned cut and subtitles) are temporary signed links: {save}; get_video gives fresh ones."
            )
        }
        VideoStatus::Failed => failure(listed, video),
        VideoStatus::Other(status) if listed.has("wait_for_video") => format!(
            "HeyGen reports video status {status:?}, which this server does not know: call wait_for_video with video_id {id} to keep following it."
        ),
        VideoStatus::Other(status) => {
            format!(
                "HeyGen reports video status {status:?}, which this server does not know; check again later."
            )
        }
    }
}

/// Why a render failed, in HeyGen's words when it gave any, and what usually helps.
pub fn failure(listed: &Listed, video: &VideoDetail) -> String {
    let reason = [&video.failure_message, &video.failure_code]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .find(|s| !s.is_empty());
    match reason {
        Some(reason) => {
            let reason = reason.trim_end_matches('.');
            let lead = if reason.to_ascii_lowercase().starts_with("rendering failed") {
                ""
            } else {
                "Rendering failed: "
            };
            format!(
                "{lead}{reason}. Tell the user, adjust the request, and {}.",
                start_again(listed)
            )
        }
        None => no_reason(listed),
    }
}

/// A failure HeyGen gave no reason for (heygen-cli #321: failures correlated with prompts
/// above ~2.5k characters, and the same prompt succeeded another time).
pub fn no_reason(listed: &Listed) -> String {
    format!(
        "Rendering failed and HeyGen gave no reason. What usually helps: {} (the same prompt often succeeds another time), with a shorter prompt if it is long (failures have been seen above about 2,500 characters).",
        start_again(listed)
    )
}

fn start_again(listed: &Listed) -> String {
    if listed.has("create_video_agent") {
        "start again with create_video_agent".into()
    } else {
        format!("start again in {HEYGEN_APP}")
    }
}

/// A list's next step: the next page first, then the first pointer whose tool is listed.
pub fn list(listed: &Listed, has_more: bool, pointers: &[(&str, &str)]) -> Option<String> {
    let mut parts = Vec::new();
    if has_more {
        parts.push("More results: call again with token=next_token.".to_owned());
    }
    if let Some((_, text)) = pointers.iter().find(|(tool, _)| listed.has(tool)) {
        parts.push((*text).to_owned());
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}
