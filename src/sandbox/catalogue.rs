//! The sandbox's fixed catalogue of avatars, looks, voices and the account behind the key.
//!
//! Ids are stable across runs so a user can type them from the docs. Every look names a
//! default voice that exists here, and each private item (the account's own twin and
//! voice clone) is `completed`, as a trained avatar would be. The lists are in display
//! order; pagination keys count down from the length, as `Store::paginate` needs.

/// Unix seconds all public catalogue items report as their creation time (2026-01-01).
const PUBLIC_CREATED_AT: i64 = 1_767_225_600;
/// When the account's own twin and voice clone were "trained" (2026-03-01).
const PRIVATE_CREATED_AT: i64 = 1_772_323_200;

/// An avatar group: a person, whose looks are the outfits and settings.
#[derive(Debug)]
pub(crate) struct Group {
    pub id: &'static str,
    pub name: &'static str,
    pub gender: &'static str,
    pub private: bool,
}

/// A look: the id Video Agent takes as `avatar_id`.
#[derive(Debug)]
pub(crate) struct Look {
    pub id: &'static str,
    pub group_id: &'static str,
    pub name: &'static str,
    pub avatar_type: &'static str,
    pub orientation: Orientation,
    pub tags: &'static [&'static str],
    pub default_voice_id: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Orientation {
    Landscape,
    Portrait,
    Square,
}

impl Orientation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Landscape => "landscape",
            Self::Portrait => "portrait",
            Self::Square => "square",
        }
    }

    /// The look's native resolution, as a 1080p source would have it.
    pub fn native_size(self) -> (u32, u32) {
        match self {
            Self::Landscape => (1920, 1080),
            Self::Portrait => (1080, 1920),
            Self::Square => (1080, 1080),
        }
    }
}

#[derive(Debug)]
pub(crate) struct Voice {
    pub id: &'static str,
    pub name: &'static str,
    pub language: &'static str,
    pub gender: &'static str,
    pub private: bool,
    /// What the `engine` filter of `GET /v3/voices` matches: `starfish` (HeyGen's TTS
    /// engine) or `elevenlabs`, the engine names HeyGen's voice settings use.
    pub engines: &'static [&'static str],
    /// Pitch of the preview tone; the preview is a tone, not speech.
    pub preview_hz: u32,
}

pub(crate) const GROUPS: &[Group] = &[
    Group {
        id: "sbx_group_anna",
        name: "Anna",
        gender: "female",
        private: false,
    },
    Group {
        id: "sbx_group_daniel",
        name: "Daniel",
        gender: "male",
        private: false,
    },
    Group {
        id: "sbx_group_sofia",
        name: "Sofia",
        gender: "female",
        private: false,
    },
    Group {
        id: "sbx_group_my_twin",
        name: "My Digital Twin",
        gender: "male",
        private: true,
    },
];

pub(crate) const LOOKS: &[Look] = &[
    Look {
        id: "sbx_look_anna_business",
        group_id: "sbx_group_anna",
        name: "Business Suit",
        avatar_type: "studio_avatar",
        orientation: Orientation::Landscape,
        tags: &["business", "formal"],
        default_voice_id: "sbx_voice_en_sara",
    },
    Look {
        id: "sbx_look_anna_casual",
        group_id: "sbx_group_anna",
        name: "Casual",
        avatar_type: "studio_avatar",
        orientation: Orientation::Portrait,
        tags: &["casual", "lifestyle"],
        default_voice_id: "sbx_voice_en_sara",
    },
    Look {
        id: "sbx_look_anna_studio",
        group_id: "sbx_group_anna",
        name: "News Studio",
        avatar_type: "studio_avatar",
        orientation: Orientation::Landscape,
        tags: &["news", "formal"],
        default_voice_id: "sbx_voice_en_olivia",
    },
    Look {
        id: "sbx_look_daniel_business",
        group_id: "sbx_group_daniel",
        name: "Business Suit",
        avatar_type: "studio_avatar",
        orientation: Orientation::Landscape,
        tags: &["business", "formal"],
        default_voice_id: "sbx_voice_en_james",
    },
    Look {
        id: "sbx_look_daniel_casual",
        group_id: "sbx_group_daniel",
        name: "Casual Sweater",
        avatar_type: "studio_avatar",
        orientation: Orientation::Portrait,
        tags: &["casual"],
        default_voice_id: "sbx_voice_en_james",
    },
    Look {
        id: "sbx_look_sofia_office",
        group_id: "sbx_group_sofia",
        name: "Office",
        avatar_type: "photo_avatar",
        orientation: Orientation::Portrait,
        tags: &["business", "casual"],
        default_voice_id: "sbx_voice_es_lucia",
    },
    Look {
        id: "sbx_look_sofia_outdoor",
        group_id: "sbx_group_sofia",
        name: "Outdoor",
        avatar_type: "photo_avatar",
        orientation: Orientation::Square,
        tags: &["casual", "outdoor"],
        default_voice_id: "sbx_voice_es_lucia",
    },
    Look {
        id: "sbx_look_my_twin_office",
        group_id: "sbx_group_my_twin",
        name: "Home Office",
        avatar_type: "digital_twin",
        orientation: Orientation::Landscape,
        tags: &["business"],
        default_voice_id: "sbx_voice_my_clone",
    },
    Look {
        id: "sbx_look_my_twin_podcast",
        group_id: "sbx_group_my_twin",
        name: "Podcast",
        avatar_type: "digital_twin",
        orientation: Orientation::Square,
        tags: &["casual", "podcast"],
        default_voice_id: "sbx_voice_my_clone",
    },
];

pub(crate) const VOICES: &[Voice] = &[
    Voice {
        id: "sbx_voice_en_sara",
        name: "Sara",
        language: "English",
        gender: "female",
        private: false,
        engines: &["starfish", "elevenlabs"],
        preview_hz: 440,
    },
    Voice {
        id: "sbx_voice_en_olivia",
        name: "Olivia",
        language: "English",
        gender: "female",
        private: false,
        engines: &["elevenlabs"],
        preview_hz: 494,
    },
    Voice {
        id: "sbx_voice_en_james",
        name: "James",
        language: "English",
        gender: "male",
        private: false,
        engines: &["starfish", "elevenlabs"],
        preview_hz: 220,
    },
    Voice {
        id: "sbx_voice_en_marcus",
        name: "Marcus",
        language: "English",
        gender: "male",
        private: false,
        engines: &["starfish"],
        preview_hz: 196,
    },
    Voice {
        id: "sbx_voice_es_lucia",
        name: "Lucía",
        language: "Spanish",
        gender: "female",
        private: false,
        engines: &["starfish", "elevenlabs"],
        preview_hz: 392,
    },
    Voice {
        id: "sbx_voice_es_mateo",
        name: "Mateo",
        language: "Spanish",
        gender: "male",
        private: false,
        engines: &["elevenlabs"],
        preview_hz: 247,
    },
    Voice {
        id: "sbx_voice_my_clone",
        name: "My Voice Clone",
        language: "English",
        gender: "male",
        private: true,
        engines: &["elevenlabs"],
        preview_hz: 262,
    },
];

pub(crate) fn group(id: &str) -> Option<&'static Group> {
    GROUPS.iter().find(|g| g.id == id)
}

pub(crate) fn look(id: &str) -> Option<&'static Look> {
    LOOKS.iter().find(|l| l.id == id)
}

pub(crate) fn voice(id: &str) -> Option<&'static Voice> {
    VOICES.iter().find(|v| v.id == id)
}

impl Group {
    pub fn looks(&self) -> impl Iterator<Item = &'static Look> + '_ {
        LOOKS.iter().filter(|l| l.group_id == self.id)
    }

    pub fn created_at(&self) -> i64 {
        created_at(self.private)
    }
}

impl Look {
    /// The look's group; every catalogue look has one (checked by a unit test).
    pub fn group(&self) -> Option<&'static Group> {
        group(self.group_id)
    }

    pub fn private(&self) -> bool {
        self.group().is_some_and(|g| g.private)
    }

    /// Avatar V takes studio avatars only; III and IV take every kind (HeyGen's engine
    /// notes: `avatar_iii` resolves to Digital Twin or Photo Avatar by look type).
    pub fn engines(&self) -> &'static [&'static str] {
        if self.avatar_type == "studio_avatar" {
            &["avatar_v", "avatar_iv", "avatar_iii"]
        } else {
            &["avatar_iv", "avatar_iii"]
        }
    }
}

impl Voice {
    pub fn created_at(&self) -> i64 {
        created_at(self.private)
    }
}

fn created_at(private: bool) -> i64 {
    if private {
        PRIVATE_CREATED_AT
    } else {
        PUBLIC_CREATED_AT
    }
}

/// `GET /v3/users/me`: a wallet account. The balance stays put: the sandbox spends nothing.
pub(crate) fn account() -> serde_json::Value {
    serde_json::json!({
        "username": "sbx_user_sandbox",
        "email": "sandbox@example.com",
        "first_name": "Sandbox",
        "last_name": "User",
        "billing_type": "wallet",
        "wallet": {
            "currency": "usd",
            "remaining_balance": 125.5,
            "auto_reload": { "enabled": false, "threshold_usd": null, "amount_usd": null },
        },
        "subscription": null,
        "usage_based": null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_and_ids_are_unique() {
        for look in LOOKS {
            assert!(look.group().is_some(), "{} has no group", look.id);
            assert!(voice(look.default_voice_id).is_some(), "{}", look.id);
        }
        for group in GROUPS {
            assert!(group.looks().count() >= 2, "{} has too few looks", group.id);
        }
        for voice in VOICES {
            let known = ["starfish", "elevenlabs"];
            assert!(
                voice.engines.iter().all(|e| known.contains(e)),
                "{}",
                voice.id
            );
        }
        let mut ids: Vec<&str> = GROUPS.iter().map(|g| g.id).collect();
        ids.extend(LOOKS.iter().map(|l| l.id));
        ids.extend(VOICES.iter().map(|v| v.id));
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count);
    }
}
