//! Blobs: the config blob read whole (capped) and parsed, and any blob streamed to a writer with its
//! digest and size checked as it arrives.

use bytes::Bytes;
use http::Method;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use super::client::RegistryClient;
use super::error::RegistryError;
use super::image_config::ImageConfig;
use super::manifest::{Descriptor, pull_scope};
use super::reference::{Digest, Hasher};
use super::transport::endpoint;

/// Config and other JSON blobs larger than this are refused.
pub const JSON_CAP: u64 = 8 << 20;

impl RegistryClient {
    /// The config blob of an image manifest: exact bytes (digest and size verified) and the parse.
    pub async fn get_config(
        &self,
        name: &str,
        config: &Descriptor,
    ) -> Result<(Bytes, ImageConfig), RegistryError> {
        let digest = config
            .parsed_digest()
            .map_err(|e| RegistryError::Invalid(format!("config descriptor: {e}")))?;
        let url = self.url(name, &format!("blobs/{digest}"));
        let ep = endpoint(&Method::GET, &url);
        let resp = self
            .request(Method::GET, url, &pull_scope(name), None)
            .await?;
        let bytes = self
            .transport
            .read_capped(&ep, resp, JSON_CAP, "config blob")
            .await?;
        digest
            .verify(&bytes)
            .map_err(|actual| RegistryError::DigestMismatch {
                endpoint: ep.clone(),
                expected: digest.to_string(),
                actual: actual.to_string(),
            })?;
        if bytes.len() as u64 != config.size {
            return Err(RegistryError::bad(
                &ep,
                format!(
                    "the config blob is {} bytes; the manifest says {}",
                    bytes.len(),
                    config.size
                ),
            ));
        }
        let parsed = ImageConfig::parse(&bytes).map_err(|e| RegistryError::bad(&ep, e))?;
        Ok((bytes, parsed))
    }

    /// Stream a blob into `out`, never holding it whole; fails on a digest mismatch or, when
    /// `expected_size` is given, on a different length (checked as bytes arrive, so a server that
    /// sends more stops at once). Returns the number of bytes written. What was written before a
    /// failure is the caller's to discard.
    pub async fn download_blob<W: AsyncWrite + Unpin>(
        &self,
        name: &str,
        digest: &Digest,
        expected_size: Option<u64>,
        out: &mut W,
    ) -> Result<u64, RegistryError> {
        let url = self.url(name, &format!("blobs/{digest}"));
        let ep = endpoint(&Method::GET, &url);
        let resp = self
            .request(Method::GET, url, &pull_scope(name), None)
            .await?;
        let mut body = resp.into_body();
        let mut hasher = Hasher::new(digest.algorithm());
        let mut written: u64 = 0;
        while let Some(chunk) = self.transport.next_chunk(&ep, &mut body, None).await? {
            written += chunk.len() as u64;
            if let Some(n) = expected_size
                && written > n
            {
                return Err(RegistryError::bad(
                    &ep,
                    format!("the blob is longer than the {n} bytes expected"),
                ));
            }
            hasher.update(&chunk);
            out.write_all(&chunk).await.map_err(RegistryError::Io)?;
        }
        out.flush().await.map_err(RegistryError::Io)?;
        if let Some(n) = expected_size
            && written != n
        {
            return Err(RegistryError::bad(
                &ep,
                format!("the blob is {written} bytes; {n} were expected"),
            ));
        }
        let actual = hasher.finish();
        if actual != *digest {
            return Err(RegistryError::DigestMismatch {
                endpoint: ep,
                expected: digest.to_string(),
                actual: actual.to_string(),
            });
        }
        Ok(written)
    }
}
