//! The "agent": what the sandbox reads out of a prompt or message. Deliberately simple
//! and deterministic, so tests can predict every answer.

/// Makes the next render fail (video `failed`, session `failed`).
pub const FAIL_MARKER: &str = "[sandbox:fail]";
/// Makes the next render fail with no reason: no `failure_code`, no `failure_message`, an
/// empty title, and no error message on the session (heygen-cli #321).
pub const FAIL_QUIET_MARKER: &str = "[sandbox:fail-quiet]";
/// Makes the thinking step this text starts last forever.
pub const STALL_MARKER: &str = "[sandbox:stall]";
/// Chat mode: the agent asks a question (`waiting_for_input`) before its storyboard.
pub const ASK_MARKER: &str = "[sandbox:ask]";
/// In the prompt: when the first thinking step ends the session waits in
/// `pending_consent` (an avatar's owner has to consent) until it is stopped.
pub const CONSENT_MARKER: &str = "[sandbox:consent]";

const MARKERS: [&str; 5] = [
    FAIL_MARKER,
    FAIL_QUIET_MARKER,
    STALL_MARKER,
    ASK_MARKER,
    CONSENT_MARKER,
];

pub(crate) const DEFAULT_DURATION_SECS: f64 = 30.0;
const MIN_DURATION_SECS: f64 = 5.0;
const MAX_DURATION_SECS: f64 = 600.0;

/// Fault markers found in one prompt or message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Markers {
    pub fail: bool,
    pub fail_quiet: bool,
    pub stall: bool,
    pub ask: bool,
    pub consent: bool,
}

impl Markers {
    pub fn scan(text: &str) -> Self {
        let lower = text.to_ascii_lowercase();
        Self {
            fail: lower.contains(FAIL_MARKER),
            fail_quiet: lower.contains(FAIL_QUIET_MARKER),
            stall: lower.contains(STALL_MARKER),
            ask: lower.contains(ASK_MARKER),
            consent: lower.contains(CONSENT_MARKER),
        }
    }
}

/// The prompt without sandbox markers and with whitespace collapsed.
pub(crate) fn clean(text: &str) -> String {
    let mut out = text.to_string();
    for marker in MARKERS {
        // ASCII lowercasing keeps byte offsets valid for `replace_range`.
        while let Some(at) = out.to_ascii_lowercase().find(marker) {
            out.replace_range(at..at + marker.len(), " ");
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Expected length of the video: "a 30-second video", "45 seconds", "1-minute",
/// "2 minutes", "90s"; the default when the prompt names none.
pub(crate) fn expected_duration(prompt: &str) -> f64 {
    named_duration(prompt).unwrap_or(DEFAULT_DURATION_SECS)
}

/// The first length the text names, if any.
pub(crate) fn named_duration(text: &str) -> Option<f64> {
    let lower = text.to_lowercase().replace('-', " ");
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty())
        .collect();
    for (i, word) in words.iter().enumerate() {
        if let Some(secs) = number_with_suffix(word) {
            return Some(secs.clamp(MIN_DURATION_SECS, MAX_DURATION_SECS));
        }
        let (Some(amount), Some(unit)) = (number(word), words.get(i + 1)) else {
            continue;
        };
        let factor = match *unit {
            "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
            "min" | "mins" | "minute" | "minutes" => 60.0,
            _ => continue,
        };
        return Some((amount * factor).clamp(MIN_DURATION_SECS, MAX_DURATION_SECS));
    }
    None
}

fn number(word: &str) -> Option<f64> {
    match word {
        "a" | "one" => Some(1.0),
        "two" => Some(2.0),
        "three" => Some(3.0),
        "five" => Some(5.0),
        _ => word
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n > 0.0),
    }
}

/// "90s", "45sec", "2min".
fn number_with_suffix(word: &str) -> Option<f64> {
    let digits_end = word.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (amount, unit) = word.split_at(digits_end);
    let amount: f64 = amount.parse().ok().filter(|n: &f64| *n > 0.0)?;
    match unit {
        "s" | "sec" | "secs" => Some(amount),
        "min" | "mins" => Some(amount * 60.0),
        _ => None,
    }
}

/// True when the prompt asks for a vertical video; HeyGen auto-detects orientation too.
pub(crate) fn wants_portrait(prompt: &str) -> bool {
    let lower = prompt.to_lowercase();
    ["portrait", "vertical", "9:16", "tiktok", "reels", "shorts"]
        .iter()
        .any(|w| lower.contains(w))
}

/// A session title derived from the prompt (HeyGen's is LLM-written).
pub(crate) fn title(prompt: &str) -> String {
    let cleaned = clean(prompt);
    let mut title: String = cleaned.chars().take(60).collect();
    if cleaned.chars().count() > 60 {
        title.push_str("...");
    }
    format!("Sandbox: {title}")
}

/// What the video is about: the words after "about" when the prompt has it ("a
/// 30-second video about bees" → "bees"), else the prompt; at most ~48 characters.
pub(crate) fn topic(prompt: &str) -> String {
    let cleaned = clean(prompt);
    let lower = cleaned.to_ascii_lowercase();
    // ASCII lowercasing keeps byte offsets valid in `cleaned`.
    let subject = lower
        .find(" about ")
        .and_then(|at| cleaned.get(at + " about ".len()..))
        .filter(|rest| !rest.trim().is_empty())
        .unwrap_or(&cleaned);
    let first_clause = subject
        .split([',', ';', '.', '!', '?'])
        .next()
        .unwrap_or_default();
    let subject = match first_clause.trim() {
        "" => subject,
        clause => clause,
    };
    let mut out = String::new();
    for word in subject.split_whitespace() {
        if out.chars().count() + word.chars().count() + 1 > 48 {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    match out.as_str() {
        "" if subject.is_empty() => "your topic".to_string(),
        "" => subject.chars().take(48).collect(),
        _ => out,
    }
}

/// Scene texts of a storyboard: 3 scenes up to 30 s, 4 beyond. A revision mentions the
/// requested change so a reviewer can see the storyboard really is new.
pub(crate) fn scenes(prompt: &str, duration: f64, revision: Option<(u32, &str)>) -> Vec<String> {
    let topic = topic(prompt);
    let mut scenes = vec![
        format!("Opening: {topic}"),
        format!("Key message: the main point about {topic}"),
    ];
    if duration > DEFAULT_DURATION_SECS {
        scenes.push(format!("Example: {topic} in practice"));
    }
    scenes.push("Closing: summary and call to action".to_string());
    if let Some((number, change)) = revision {
        let change: String = clean(change).chars().take(60).collect();
        for scene in &mut scenes {
            scene.push_str(&format!(" (revision {number}: {change})"));
        }
    }
    scenes
}

/// Does a review reply approve the storyboard? Anything asking for a change wins over
/// approval words ("looks good but shorter" is a revision request).
pub(crate) fn is_approval(message: &str) -> bool {
    let lower = clean(message).to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    let has_word = |w: &str| words.contains(&w);
    let change = [
        "change", "instead", "but", "not", "don't", "dont", "revise", "edit",
    ]
    .iter()
    .any(|w| has_word(w))
        || lower.contains("make it");
    if change {
        return false;
    }
    [
        "approve", "approved", "yes", "ok", "okay", "lgtm", "proceed", "perfect",
    ]
    .iter()
    .any(|w| has_word(w))
        || [
            "looks good",
            "look good",
            "go ahead",
            "sounds good",
            "ship it",
        ]
        .iter()
        .any(|p| lower.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_the_prompt() {
        assert_eq!(expected_duration("Make a 30-second video"), 30.0);
        assert_eq!(expected_duration("about 45 seconds long"), 45.0);
        assert_eq!(expected_duration("a 1-minute explainer"), 60.0);
        assert_eq!(expected_duration("2 minute promo"), 120.0);
        assert_eq!(expected_duration("a 90s teaser"), 90.0);
        assert_eq!(
            expected_duration("a video about cats"),
            DEFAULT_DURATION_SECS
        );
    }

    #[test]
    fn approvals_and_revisions() {
        assert!(is_approval("Looks good, go ahead!"));
        assert!(is_approval("yes"));
        assert!(is_approval("I approve"));
        assert!(!is_approval("looks good but make the intro shorter"));
        assert!(!is_approval("Use a warmer colour palette"));
        assert!(!is_approval("eyes on the product"));
    }

    #[test]
    fn scene_counts() {
        assert_eq!(scenes("x", 30.0, None).len(), 3);
        assert_eq!(scenes("x", 60.0, None).len(), 4);
        assert!(
            scenes("x", 30.0, Some((1, "bluer")))
                .iter()
                .all(|s| s.contains("bluer"))
        );
        assert!(scenes("x", 30.0, None)[2].starts_with("Closing"));
    }

    #[test]
    fn topics_and_titles() {
        assert_eq!(topic("Make a 30-second video about bees."), "bees");
        assert_eq!(topic("Our new café"), "Our new café");
        assert_eq!(title("a [sandbox:fail] video"), "Sandbox: a video");
    }

    #[test]
    fn markers_are_removed_from_text() {
        assert_eq!(clean("a [sandbox:FAIL]  video"), "a video");
        assert!(Markers::scan("x [Sandbox:Stall]").stall);
        let quiet = Markers::scan("x [SANDBOX:Fail-Quiet]");
        assert!(quiet.fail_quiet && !quiet.fail);
        assert_eq!(clean("a [sandbox:fail-quiet] b [sandbox:consent]"), "a b");
    }
}
