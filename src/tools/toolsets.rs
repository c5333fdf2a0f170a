//! Toolsets: groups of tools a deployment (or a request) turns on, as github-mcp-server
//! does, and the set of tools a client actually sees, which every text the model reads is
//! composed from — instructions, next steps and remedies never name a tool that isn't listed.

use std::collections::BTreeSet;
use std::sync::Arc;

/// A group of tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Toolset {
    /// Sessions: create, follow, answer, stop, wait.
    VideoAgent,
    /// Finished videos: get, list, delete, scenes.
    Videos,
    /// Avatars, voices, the account.
    Discovery,
    /// Brand kits and glossaries.
    Brand,
    /// Local files: upload and download.
    Files,
}

impl Toolset {
    pub const ALL: [Toolset; 5] = [
        Toolset::VideoAgent,
        Toolset::Videos,
        Toolset::Discovery,
        Toolset::Brand,
        Toolset::Files,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::VideoAgent => "video_agent",
            Self::Videos => "videos",
            Self::Discovery => "discovery",
            Self::Brand => "brand",
            Self::Files => "files",
        }
    }
}

/// The toolsets that are on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toolsets(BTreeSet<Toolset>);

impl Default for Toolsets {
    /// Everything a video needs, from choosing an avatar to saving the file.
    fn default() -> Self {
        Self(Toolset::ALL.into_iter().collect())
    }
}

impl Toolsets {
    /// A comma list of toolset names (`all` for every one, `default` for the default set).
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut on = BTreeSet::new();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match name.to_ascii_lowercase().as_str() {
                "all" => on.extend(Toolset::ALL),
                "default" => on.extend(Self::default().0),
                other => match Toolset::ALL.into_iter().find(|t| t.name() == other) {
                    Some(toolset) => {
                        on.insert(toolset);
                    }
                    None => {
                        return Err(format!(
                            "unknown toolset {other:?}: use a comma list of {}, or all",
                            Toolset::ALL.map(Toolset::name).join(", ")
                        ));
                    }
                },
            }
        }
        if on.is_empty() {
            return Err(format!(
                "no toolset named: use a comma list of {}, or all",
                Toolset::ALL.map(Toolset::name).join(", ")
            ));
        }
        Ok(Self(on))
    }

    /// The toolsets on in both.
    pub fn intersection(&self, other: &Toolsets) -> Toolsets {
        Toolsets(self.0.intersection(&other.0).copied().collect())
    }

    pub fn contains(&self, toolset: Toolset) -> bool {
        self.0.contains(&toolset)
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|t| t.name()).collect()
    }
}

/// The names of the tools a client sees. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Listed(Arc<BTreeSet<String>>);

impl Listed {
    pub fn new(names: impl IntoIterator<Item = String>) -> Self {
        Self(Arc::new(names.into_iter().collect()))
    }

    pub fn has(&self, tool: &str) -> bool {
        self.0.contains(tool)
    }

    /// `text` when `tool` is listed, else `otherwise`.
    pub fn pick<'a>(&self, tool: &str, text: &'a str, otherwise: &'a str) -> &'a str {
        if self.has(tool) { text } else { otherwise }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse() {
        let some = Toolsets::parse("video_agent, Videos").unwrap_or_default();
        assert_eq!(some.names(), ["video_agent", "videos"]);
        assert_eq!(Toolsets::parse("all"), Ok(Toolsets::default()));
        assert!(Toolsets::parse("video_agent,nope").is_err_and(|e| e.contains("brand")));
        assert!(Toolsets::parse(" , ").is_err());
    }
}
