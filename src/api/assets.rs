//! Assets: uploads (simple and direct) and media downloads from storage.

use std::time::Duration;

use reqwest::Method;
use reqwest::multipart::{Form, Part};

use super::types::{AssetUploadTicket, CreateAssetUploadRequest, UploadedAsset};
use super::{ApiError, Call, HeyGenClient, local_error, transport_error};
use crate::files::LocalFile;

/// HeyGen's limit for `POST /v3/assets`; larger files take the direct-upload route.
pub const SIMPLE_UPLOAD_LIMIT: u64 = 32 * 1024 * 1024;

/// Uploads move real bytes: allow far more than a JSON call.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The multipart body of `POST /v3/assets`: one part `file`, read from the open file.
pub(super) fn form(file: &LocalFile) -> Result<Form, ApiError> {
    let part = Part::stream_with_length(body(file)?, file.len)
        .file_name(file.file_name.clone())
        .mime_str(file.mime)
        .map_err(|e| local_error(format!("bad content type {}: {e}", file.mime)))?;
    Ok(Form::new().part("file", part))
}

fn body(file: &LocalFile) -> Result<reqwest::Body, ApiError> {
    let reader = file.reader().map_err(local_error)?;
    Ok(reqwest::Body::wrap_stream(
        tokio_util::io::ReaderStream::new(reader),
    ))
}

impl HeyGenClient {
    /// Uploads a file the way its size calls for, and returns the asset to reference.
    /// One idempotency key covers the whole upload, so retries never make a second asset.
    pub async fn upload(
        &self,
        file: &LocalFile,
        idempotency_key: &str,
    ) -> Result<UploadedAsset, ApiError> {
        if file.len <= SIMPLE_UPLOAD_LIMIT {
            return self.upload_asset(file, idempotency_key).await;
        }
        let ticket = self
            .create_asset_upload(
                &CreateAssetUploadRequest {
                    filename: file.file_name.clone(),
                    content_type: file.mime.to_owned(),
                    size_bytes: file.len,
                },
                idempotency_key,
            )
            .await?;
        self.put_upload(&ticket, file).await?;
        self.complete_asset_upload(&ticket.asset_id).await
    }

    /// `POST /v3/assets` (multipart, part `file`, at most 32 MB)
    pub async fn upload_asset(
        &self,
        file: &LocalFile,
        idempotency_key: &str,
    ) -> Result<UploadedAsset, ApiError> {
        let call = Call::new(Method::POST, &["v3", "assets"])
            .idempotency_key(idempotency_key.to_owned(), UPLOAD_TIMEOUT)
            .file(file.clone());
        self.data(call).await
    }

    /// `POST /v3/assets/direct-uploads`
    pub async fn create_asset_upload(
        &self,
        request: &CreateAssetUploadRequest,
        idempotency_key: &str,
    ) -> Result<AssetUploadTicket, ApiError> {
        let call = Call::new(Method::POST, &["v3", "assets", "direct-uploads"])
            .json(request)?
            .idempotency_key(idempotency_key.to_owned(), self.inner.timeouts.write);
        self.data(call).await
    }

    /// `PUT {upload_url}`: the bytes go straight to storage, with exactly the headers HeyGen
    /// gave and no HeyGen credentials.
    pub async fn put_upload(
        &self,
        ticket: &AssetUploadTicket,
        file: &LocalFile,
    ) -> Result<(), ApiError> {
        if let Some(max) = ticket.max_bytes
            && file.len > max
        {
            return Err(local_error(format!(
                "{} is {} bytes; HeyGen takes at most {max}",
                file.file_name, file.len
            )));
        }
        let mut request = self
            .media_http()?
            .put(&ticket.upload_url)
            .timeout(UPLOAD_TIMEOUT);
        for (name, value) in &ticket.upload_headers {
            request = request.header(name, value);
        }
        if self.is_cancelled() {
            return Err(ApiError::Cancelled);
        }
        let sent = request
            .header(reqwest::header::CONTENT_LENGTH, file.len)
            .body(body(file)?)
            .send();
        let response = tokio::select! {
            () = self.cancelled() => return Err(ApiError::Cancelled),
            response = sent => response.map_err(|e| transport_error(&e, true))?,
        };
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        Err(storage_error(status, true))
    }

    /// `POST /v3/assets/{asset_id}/complete`. Idempotent; answers 409 `conflict` while the
    /// uploaded object is not visible yet, so that is waited out a few times.
    pub async fn complete_asset_upload(&self, asset_id: &str) -> Result<UploadedAsset, ApiError> {
        let path = ["v3", "assets", asset_id, "complete"];
        let empty = serde_json::Map::new();
        let mut wait = Duration::from_millis(250);
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self
                .data(Call::new(Method::POST, &path).json(&empty)?)
                .await
            {
                Err(e) if e.status() == Some(409) && attempts < 6 => {
                    self.pause(wait).await?;
                    wait *= 2;
                }
                other => return other,
            }
        }
    }

    /// GETs a media URL from HeyGen's storage (a presigned link): no credentials are sent.
    pub async fn fetch_media(&self, url: &str) -> Result<reqwest::Response, ApiError> {
        let url = url::Url::parse(url).map_err(|e| local_error(format!("bad media URL: {e}")))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(local_error(format!(
                "refusing to fetch a {} URL",
                url.scheme()
            )));
        }
        if self.is_cancelled() {
            return Err(ApiError::Cancelled);
        }
        let sent = self.media_http()?.get(url).send();
        let response = tokio::select! {
            () = self.cancelled() => return Err(ApiError::Cancelled),
            response = sent => response.map_err(|e| transport_error(&e, true))?,
        };
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        Err(storage_error(status, false))
    }
}

/// A storage host's refusal: no HeyGen envelope, no request id.
fn storage_error(status: reqwest::StatusCode, upload: bool) -> ApiError {
    let host = if upload {
        "upload storage"
    } else {
        "file storage"
    };
    ApiError::Storage {
        status: status.as_u16(),
        summary: format!(
            "{} {} from the {host}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("an error")
        ),
        upload,
    }
}
