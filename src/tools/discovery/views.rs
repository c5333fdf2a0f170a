//! What the discovery tools return: each catalogue item trimmed to what a choice needs.

use schemars::JsonSchema;
use serde::Serialize;

use crate::api::types::{AvatarGroup, AvatarLook, UserInfo, Voice};
use crate::schema::portable;

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct GroupView {
    pub group_id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub looks_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_voice_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview_image_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct GroupList {
    pub groups: Vec<GroupView>,
    pub has_more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct LookView {
    /// Pass this as avatar_id to create_video_agent.
    pub avatar_id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_type: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_voice_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_orientation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview_image_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct LookList {
    pub looks: Vec<LookView>,
    pub has_more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct VoiceView {
    pub voice_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview_audio_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct VoiceList {
    pub voices: Vec<VoiceView>,
    pub has_more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[schemars(transform = portable)]
pub struct AccountView {
    pub username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wallet_balance: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wallet_currency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credits_remaining: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credits_reset_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spending_usd: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spending_cap_usd: Option<f64>,
    /// What is left to spend, in words.
    pub summary: String,
}

impl From<AvatarGroup> for GroupView {
    fn from(g: AvatarGroup) -> Self {
        Self {
            group_id: g.id,
            name: g.name,
            gender: g.gender,
            looks_count: g.looks_count,
            default_voice_id: g.default_voice_id,
            preview_image_url: g.preview_image_url,
            next_step: None,
        }
    }
}

impl From<AvatarLook> for LookView {
    fn from(l: AvatarLook) -> Self {
        Self {
            avatar_id: l.id,
            name: l.name,
            group_id: l.group_id,
            gender: l.gender,
            avatar_type: l.avatar_type,
            tags: l.tags,
            default_voice_id: l.default_voice_id,
            preferred_orientation: l.preferred_orientation,
            preview_image_url: l.preview_image_url,
            next_step: None,
        }
    }
}

impl From<Voice> for VoiceView {
    fn from(v: Voice) -> Self {
        Self {
            voice_id: v.voice_id,
            name: v.name,
            language: v.language,
            gender: v.gender,
            kind: v.kind,
            status: v.status,
            preview_audio_url: v.preview_audio_url,
            next_step: None,
        }
    }
}

impl From<UserInfo> for AccountView {
    fn from(u: UserInfo) -> Self {
        let name = [u.first_name.as_deref(), u.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|n| !n.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let premium = u
            .subscription
            .as_ref()
            .and_then(|s| s.credits.as_ref())
            .and_then(|c| c.premium_credits.as_ref());
        let add_on = u
            .subscription
            .as_ref()
            .and_then(|s| s.credits.as_ref())
            .and_then(|c| c.add_on_credits.as_ref());
        let pool_credits = match (
            premium.and_then(|p| p.remaining),
            add_on.and_then(|p| p.remaining),
        ) {
            (None, None) => None,
            (a, b) => Some((a.unwrap_or(0) + b.unwrap_or(0)) as f64),
        };
        let credits_remaining =
            pool_credits.or_else(|| u.usage_based.as_ref().and_then(|b| b.remaining_credits));
        let wallet_balance = u.wallet.as_ref().and_then(|w| w.remaining_balance);
        let wallet_currency = u.wallet.as_ref().map(|w| w.currency.clone());
        let spending_usd = u.usage_based.as_ref().and_then(|b| b.spending_current_usd);
        let spending_cap_usd = u.usage_based.as_ref().and_then(|b| b.spending_cap_usd);
        let mut left = Vec::new();
        if let (Some(balance), Some(currency)) = (wallet_balance, &wallet_currency) {
            left.push(match currency.as_str() {
                "usd" => format!("wallet {balance:.2} USD"),
                other => format!("wallet {balance} {other}"),
            });
        }
        if let Some(credits) = credits_remaining {
            left.push(format!("{credits} credits"));
        }
        if let (Some(spent), Some(cap)) = (spending_usd, spending_cap_usd) {
            left.push(format!(
                "{:.2} USD of a {cap:.2} USD spending cap",
                (cap - spent).max(0.0)
            ));
        }
        let summary = if left.is_empty() {
            "HeyGen did not report a balance for this account.".to_owned()
        } else {
            format!("Left to spend: {}.", left.join(", "))
        };
        Self {
            username: u.username,
            email: u.email,
            name: Some(name).filter(|n| !n.is_empty()),
            billing_type: u.billing_type,
            plan: u.subscription.as_ref().map(|s| s.plan.clone()),
            wallet_balance,
            wallet_currency,
            credits_remaining,
            credits_reset_at: premium.and_then(|p| p.resets_at.clone()),
            spending_usd,
            spending_cap_usd,
            summary,
        }
    }
}
