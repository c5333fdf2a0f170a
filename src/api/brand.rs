//! Brand endpoints: the kits and glossaries a video can be made with.

use reqwest::Method;

use super::types::{
    BrandGlossaryItem, BrandKitDetail, BrandKitItem, ListBrandGlossariesQuery, ListBrandKitsQuery,
    Page,
};
use super::{ApiError, Call, HeyGenClient};

impl HeyGenClient {
    /// `GET /v3/brand-kits`
    pub async fn list_brand_kits(
        &self,
        query: &ListBrandKitsQuery,
    ) -> Result<Page<BrandKitItem>, ApiError> {
        self.page(Call::new(Method::GET, &["v3", "brand-kits"]).query(query)?)
            .await
    }

    /// `GET /v3/brand-kits/{brand_kit_id}`
    pub async fn get_brand_kit(&self, brand_kit_id: &str) -> Result<BrandKitDetail, ApiError> {
        self.data(Call::new(Method::GET, &["v3", "brand-kits", brand_kit_id]))
            .await
    }

    /// `GET /v3/brand-glossaries`
    pub async fn list_brand_glossaries(
        &self,
        query: &ListBrandGlossariesQuery,
    ) -> Result<Page<BrandGlossaryItem>, ApiError> {
        self.page(Call::new(Method::GET, &["v3", "brand-glossaries"]).query(query)?)
            .await
    }
}
