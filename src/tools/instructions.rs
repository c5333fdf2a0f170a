//! What the model reads once, at the start: the workflow across the tools that are listed.
//! Each sentence names the tools it needs and is left out when one of them is not listed,
//! so a read-only server never tells the model to create, and a server without discovery
//! never sends it to list_voices.

use super::toolsets::Listed;

/// (sentence, the tools it names). Sentences are joined with a space; `\n` starts a line.
const SENTENCES: &[(&str, &[&str])] = &[
    (
        "HeyGen Video Agent: describe a video in words and HeyGen's agent writes the script, picks avatar and voice, composes scenes and renders it.\n",
        &[],
    ),
    ("Workflow:\n", &["create_video_agent"]),
    (
        "1. Optional: list_avatar_looks and list_voices to pin an avatar_id (a look id) and voice_id.",
        &["list_avatar_looks", "list_voices", "create_video_agent"],
    ),
    (
        "list_brand_kits gives a brand_kit_id.",
        &["list_brand_kits", "create_video_agent"],
    ),
    (
        "get_current_user shows what is left to spend.",
        &["get_current_user", "create_video_agent"],
    ),
    (
        "upload_asset (or {type: path} items in files) sends local files.",
        &["upload_asset", "create_video_agent"],
    ),
    (
        "\n2. create_video_agent with a prompt (topic, audience, length, tone). mode=generate (default) goes straight to a finished video; mode=chat stops at a storyboard for the user: use it when the user wants to review.\n",
        &["create_video_agent"],
    ),
    (
        "3. wait_for_video with the session_id does the polling.",
        &["wait_for_video", "create_video_agent"],
    ),
    (
        "When it returns needs_input (chat mode: a storyboard or a question), show the user the newest model message and its frames (get_video_agent_resource returns the image), then send_video_agent_message to approve or ask for changes, and wait again; each revision yields a new storyboard.",
        &[
            "wait_for_video",
            "get_video_agent_resource",
            "send_video_agent_message",
        ],
    ),
    (
        "When it returns still_running, tell the user how it is going and call it again.\n",
        &["wait_for_video", "create_video_agent"],
    ),
    (
        "4. Renders take 5-10x the video's length (often 20-45 minutes). When the video is completed, give the user video_url (a temporary link; get_video gives a fresh one).",
        &["create_video_agent", "get_video"],
    ),
    (
        "download_video saves it as a local file.",
        &["create_video_agent", "download_video"],
    ),
    (
        "\nCreating a session or approving a storyboard costs HeyGen credits: never create twice for one request; if a create fails without a clear answer, check list_video_agent_sessions first.",
        &["create_video_agent", "list_video_agent_sessions"],
    ),
    // A server that cannot create: what it can do.
    (
        "This server only reads: it finds sessions and videos and follows them, but cannot create, answer, stop or delete; tell the user to do that in HeyGen (https://app.heygen.com) or with a server that is not read-only.\n",
        &["!create_video_agent"],
    ),
    (
        "list_video_agent_sessions and get_video_agent_session show sessions (with their titles);",
        &[
            "!create_video_agent",
            "list_video_agent_sessions",
            "get_video_agent_session",
        ],
    ),
    (
        "wait_for_video follows one until it is done;",
        &["!create_video_agent", "wait_for_video"],
    ),
    (
        "list_videos and get_video give finished videos and their links.",
        &["!create_video_agent", "list_videos", "get_video"],
    ),
    ("\nWhere a result has next_step, follow it.", &[]),
];

/// The instructions for a server that lists `listed`.
pub fn compose(listed: &Listed) -> String {
    let mut text = String::new();
    for (sentence, needs) in SENTENCES {
        let fits = needs.iter().all(|need| match need.strip_prefix('!') {
            Some(absent) => !listed.has(absent),
            None => listed.has(need),
        });
        if !fits {
            continue;
        }
        if !text.is_empty() && !text.ends_with('\n') && !sentence.starts_with('\n') {
            text.push(' ');
        }
        text.push_str(sentence);
    }
    text.trim().to_owned()
}
