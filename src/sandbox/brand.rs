//! `/v3/brand-kits` and `/v3/brand-glossaries`: a fixed catalogue of brand kits and
//! glossaries, read-only, and the check that Video Agent's `brand_kit_id` /
//! `brand_glossary_id` name one of them.
//!
//! The catalogue has the awkward cases HeyGen documents: a role naming a colour outside
//! the palette, a logo role naming a deleted logo (so the list's `logo_url` is null), a
//! website import that ended in `error` with only part of a kit, and a glossary with no
//! terms yet. Logos are PNGs on public URLs, as HeyGen's CDN serves them.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value, json};

use super::catalogue_routes::keyed;
use super::envelope::{self, ApiError, ApiResult};
use super::query::Query;
use super::state::Shared;
use super::views::Links;

/// `GET /v3/brand-kits` pages 20 by default, `GET /v3/brand-glossaries` 10; both up to 100.
const KITS_DEFAULT_LIMIT: usize = 20;
const GLOSSARIES_DEFAULT_LIMIT: usize = 10;

#[derive(Debug)]
pub(crate) struct BrandKit {
    pub id: &'static str,
    pub name: &'static str,
    /// `completed`, or `error` for an import that failed part-way.
    pub status: &'static str,
    pub colors: &'static [&'static str],
    /// primary, secondary, tertiary, accent; None when the kit has no roles.
    pub color_roles: Option<[Option<&'static str>; 4]>,
    pub logos: &'static [Logo],
    /// May name a logo that is no longer in `logos`.
    pub primary_logo: Option<&'static str>,
    pub fonts: &'static [(&'static str, &'static str)],
    /// (font_id, weight) for titles and for body text.
    pub font_roles: Option<[(&'static str, u16); 2]>,
}

#[derive(Debug)]
pub(crate) struct Logo {
    pub id: &'static str,
    pub name: &'static str,
    /// Drawn on the logo, in the kit's accent colour over its primary colour.
    pub text: &'static str,
}

#[derive(Debug)]
pub(crate) struct Glossary {
    pub id: &'static str,
    pub name: &'static str,
    pub created_at: &'static str,
    pub updated_at: &'static str,
    /// (term, pronunciation)
    pub terms: &'static [(&'static str, &'static str)],
    pub do_not_translate: &'static [&'static str],
    /// (term, translation)
    pub forced_translations: &'static [(&'static str, &'static str)],
}

pub(crate) const BRAND_KITS: &[BrandKit] = &[
    BrandKit {
        id: "sbx_brand_acme",
        name: "Acme Robotics",
        status: "completed",
        colors: &["#E4572E", "#17BEBB", "#FFC914"],
        // The tertiary surface colour sits outside the palette, as HeyGen says it may.
        color_roles: Some([
            Some("#E4572E"),
            Some("#17BEBB"),
            Some("#F5F1ED"),
            Some("#FFC914"),
        ]),
        logos: &[
            Logo {
                id: "sbx_logo_acme_wordmark",
                name: "Acme wordmark",
                text: "ACME ROBOTICS",
            },
            Logo {
                id: "sbx_logo_acme_icon",
                name: "Acme icon",
                text: "A",
            },
        ],
        primary_logo: Some("sbx_logo_acme_wordmark"),
        fonts: &[
            ("sbx_font_acme_montserrat", "Montserrat"),
            ("sbx_font_acme_inter", "Inter"),
        ],
        font_roles: Some([
            ("sbx_font_acme_montserrat", 700),
            ("sbx_font_acme_inter", 400),
        ]),
    },
    BrandKit {
        id: "sbx_brand_northwind",
        name: "Northwind Coffee",
        status: "completed",
        colors: &["#3B2314", "#C8A27A", "#6B8F71"],
        color_roles: Some([Some("#3B2314"), Some("#C8A27A"), None, Some("#6B8F71")]),
        logos: &[Logo {
            id: "sbx_logo_northwind_badge",
            name: "Northwind badge",
            text: "NORTHWIND",
        }],
        // The primary logo was deleted; HeyGen keeps the role pointing at it.
        primary_logo: Some("sbx_logo_northwind_deleted"),
        fonts: &[
            ("sbx_font_northwind_playfair", "Playfair Display"),
            ("sbx_font_northwind_source", "Source Sans 3"),
        ],
        font_roles: Some([
            ("sbx_font_northwind_playfair", 600),
            ("sbx_font_northwind_source", 400),
        ]),
    },
    BrandKit {
        id: "sbx_brand_example_import",
        name: "example.com (website import)",
        status: "error",
        colors: &["#0057B8"],
        color_roles: None,
        logos: &[],
        primary_logo: None,
        fonts: &[],
        font_roles: None,
    },
];

pub(crate) const GLOSSARIES: &[Glossary] = &[
    Glossary {
        id: "sbx_glossary_acme",
        name: "Acme pronunciations",
        created_at: "2026-01-01T00:00:00Z",
        updated_at: "2026-02-15T09:30:00Z",
        terms: &[
            ("HeyGen", "hey-jen"),
            ("Acme", "ack-mee"),
            ("SQL", "sequel"),
        ],
        do_not_translate: &["Acme Robotics"],
        forced_translations: &[("sandbox", "Sandbox")],
    },
    Glossary {
        id: "sbx_glossary_northwind",
        name: "Northwind (no terms yet)",
        created_at: "2026-03-01T00:00:00Z",
        updated_at: "2026-03-01T00:00:00Z",
        terms: &[],
        do_not_translate: &[],
        forced_translations: &[],
    },
];

pub(crate) fn brand_kit(id: &str) -> Option<&'static BrandKit> {
    BRAND_KITS.iter().find(|k| k.id == id)
}

pub(crate) fn glossary(id: &str) -> Option<&'static Glossary> {
    GLOSSARIES.iter().find(|g| g.id == id)
}

/// A logo and the kit it belongs to.
pub(crate) fn logo(id: &str) -> Option<(&'static BrandKit, &'static Logo)> {
    BRAND_KITS
        .iter()
        .find_map(|kit| Some((kit, kit.logos.iter().find(|l| l.id == id)?)))
}

impl BrandKit {
    pub fn primary_color(&self) -> Option<&'static str> {
        self.color_roles
            .and_then(|[primary, ..]| primary)
            .or_else(|| self.colors.first().copied())
    }

    pub fn accent_color(&self) -> Option<&'static str> {
        self.color_roles.and_then(|[.., accent]| accent)
    }
}

fn logo_url(logo: &Logo, links: &Links) -> String {
    links.public(&format!("/media/brand/{}.png", logo.id))
}

/// `BrandKitItem`: `logo_url` is the primary logo's, null when that logo is gone.
fn kit_item(kit: &BrandKit, links: &Links) -> Value {
    let primary = kit
        .primary_logo
        .and_then(|id| kit.logos.iter().find(|l| l.id == id));
    json!({
        "brand_kit_id": kit.id,
        "name": kit.name,
        "logo_url": primary.map(|l| logo_url(l, links)),
        "colors": kit.colors,
    })
}

/// `BrandKitDetail`.
fn kit_detail(kit: &BrandKit, links: &Links) -> Value {
    let color_roles = kit
        .color_roles
        .map(|[primary, secondary, tertiary, accent]| {
            json!({
                "primary": primary,
                "secondary": secondary,
                "tertiary": tertiary,
                "accent": accent,
            })
        });
    let logos: Vec<Value> = kit
        .logos
        .iter()
        .map(|l| json!({ "logo_id": l.id, "name": l.name, "url": logo_url(l, links) }))
        .collect();
    let fonts: Vec<Value> = kit
        .fonts
        .iter()
        .map(|(id, name)| json!({ "font_id": id, "name": name }))
        .collect();
    let font_roles = kit
        .font_roles
        .map(|[(title, title_weight), (body, body_weight)]| {
            json!({
                "title_text": { "font_id": title, "weight": title_weight },
                "body_text": { "font_id": body, "weight": body_weight },
            })
        });
    json!({
        "brand_kit_id": kit.id,
        "name": kit.name,
        "status": kit.status,
        "colors": kit.colors,
        "color_roles": color_roles,
        "logos": logos,
        "logo_roles": kit.primary_logo.map(|id| json!({ "primary": id })),
        "fonts": fonts,
        "font_roles": font_roles,
    })
}

/// `BrandGlossaryItem`.
fn glossary_item(glossary: &Glossary) -> Value {
    json!({
        "brand_glossary_id": glossary.id,
        "name": glossary.name,
        "created_at": glossary.created_at,
        "updated_at": glossary.updated_at,
    })
}

/// `BrandGlossaryDetail`: the translation rules are omitted when there are none, as the
/// contract says.
fn glossary_detail(glossary: &Glossary) -> Value {
    let mut out = Map::new();
    out.insert("brand_glossary_id".into(), json!(glossary.id));
    out.insert("name".into(), json!(glossary.name));
    out.insert("created_at".into(), json!(glossary.created_at));
    out.insert("updated_at".into(), json!(glossary.updated_at));
    let terms: Vec<Value> = glossary
        .terms
        .iter()
        .map(|(term, pronunciation)| json!({ "term": term, "pronunciation": pronunciation }))
        .collect();
    out.insert("terms".into(), json!(terms));
    if !glossary.do_not_translate.is_empty() {
        let rules: Vec<Value> = glossary
            .do_not_translate
            .iter()
            .map(|term| json!({ "term": term }))
            .collect();
        out.insert("do_not_translate_terms".into(), json!(rules));
    }
    if !glossary.forced_translations.is_empty() {
        let rules: Vec<Value> = glossary
            .forced_translations
            .iter()
            .map(|(term, translation)| json!({ "term": term, "translation": translation }))
            .collect();
        out.insert("forced_translations".into(), json!(rules));
    }
    Value::Object(out)
}

/// HeyGen's brand endpoints answer an unknown id with 404 `resource_not_found`.
fn resource_not_found(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "resource_not_found",
        format!("{what} not found."),
    )
}

/// `GET /v3/brand-kits`.
pub(crate) async fn list_brand_kits(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = Query::parse(raw.as_deref());
    let limit = query.limit(KITS_DEFAULT_LIMIT)?;
    let links = Links::new(&shared, &headers);
    let items = BRAND_KITS.iter().map(|k| kit_item(k, &links)).collect();
    let (page, next) = shared
        .store()
        .paginate("brand_kits", keyed(items), limit, query.token())?;
    Ok(envelope::list(page, next))
}

/// `GET /v3/brand-kits/{brand_kit_id}`.
pub(crate) async fn get_brand_kit(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(brand_kit_id): Path<String>,
) -> ApiResult {
    let kit = brand_kit(&brand_kit_id).ok_or_else(|| resource_not_found("Brand kit"))?;
    Ok(envelope::data(kit_detail(
        kit,
        &Links::new(&shared, &headers),
    )))
}

/// `GET /v3/brand-glossaries`.
pub(crate) async fn list_glossaries(
    State(shared): State<Arc<Shared>>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = Query::parse(raw.as_deref());
    let limit = query.limit(GLOSSARIES_DEFAULT_LIMIT)?;
    let items = GLOSSARIES.iter().map(glossary_item).collect();
    let (page, next) =
        shared
            .store()
            .paginate("brand_glossaries", keyed(items), limit, query.token())?;
    Ok(envelope::list(page, next))
}

/// `GET /v3/brand-glossaries/{brand_glossary_id}`.
pub(crate) async fn get_glossary(Path(brand_glossary_id): Path<String>) -> ApiResult {
    let glossary =
        glossary(&brand_glossary_id).ok_or_else(|| resource_not_found("Brand glossary"))?;
    Ok(envelope::data(glossary_detail(glossary)))
}

/// Video Agent's `brand_kit_id` and `brand_glossary_id` must name catalogue entries. The
/// contract documents no code for an unknown one on these calls (its `resource_not_found`
/// is the brand GETs' 404 for a path id), so it is the calls' documented 400
/// `invalid_parameter`, naming the field.
pub(crate) fn check_brand_ids(
    brand_kit_id: Option<&str>,
    brand_glossary_id: Option<&str>,
) -> Result<(), ApiError> {
    if let Some(id) = brand_kit_id
        && brand_kit(id).is_none()
    {
        return Err(ApiError::invalid(
            "brand_kit_id",
            format!("Brand kit '{id}' not found. List brand kits with GET /v3/brand-kits."),
        ));
    }
    if let Some(id) = brand_glossary_id
        && glossary(id).is_none()
    {
        return Err(ApiError::invalid(
            "brand_glossary_id",
            format!(
                "Brand glossary '{id}' not found. List brand glossaries with \
                 GET /v3/brand-glossaries."
            ),
        ));
    }
    Ok(())
}

/// `#RRGGBB` as RGB.
pub(crate) fn rgb(hex: &str) -> Option<[u8; 3]> {
    let digits = hex.strip_prefix('#').filter(|d| d.len() == 6)?;
    let channel = |i: usize| u8::from_str_radix(digits.get(i..i + 2)?, 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_colours_parse() {
        let mut ids: Vec<&str> = BRAND_KITS.iter().map(|k| k.id).collect();
        ids.extend(GLOSSARIES.iter().map(|g| g.id));
        ids.extend(BRAND_KITS.iter().flat_map(|k| k.logos.iter().map(|l| l.id)));
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count);
        for kit in BRAND_KITS {
            let roles = kit.color_roles.iter().flatten().flatten();
            for colour in kit.colors.iter().chain(roles) {
                assert!(rgb(colour).is_some(), "{}: {colour}", kit.id);
            }
        }
        assert_eq!(rgb("#FF8000"), Some([255, 128, 0]));
        assert_eq!(rgb("FF8000"), None);
    }
}
