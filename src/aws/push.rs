//! The push operations: BatchCheckLayerAvailability, InitiateLayerUpload, UploadLayerPart,
//! CompleteLayerUpload and PutImage, plus the repository lookup that gives the pull URI.
//!
//! Mutations are guarded by read-only mode like every other. Answers that only mean "a retry of
//! a request that already succeeded" (the SDK retries when a response is lost) count as success,
//! so a push over a flaky link does not fail on its own earlier progress.

use std::collections::HashSet;

use aws_sdk_ecrpublic::operation::complete_layer_upload::CompleteLayerUploadError;
use aws_sdk_ecrpublic::operation::put_image::PutImageError;
use aws_sdk_ecrpublic::operation::upload_layer_part::UploadLayerPartError;
use aws_sdk_ecrpublic::primitives::Blob;
use aws_sdk_ecrpublic::types::LayerAvailability;

use super::{Api, AwsError};
use crate::model::limits::LAYER_DIGESTS_MAX;

/// Where a push goes: a repository, in the caller's default registry unless `registry_id` (an
/// account id or registry alias) says otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushTarget {
    pub registry_id: Option<String>,
    pub repository: String,
}

/// What PutImage did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    Put,
    /// The digest (and tag, if any) were already there: nothing changed.
    AlreadyExists,
}

impl Api {
    /// Fails in read-only mode; a push checks this before its first request, reads included.
    pub fn check_can_push(&self) -> Result<(), AwsError> {
        self.guard("PutImage").map_err(|_| {
            AwsError::new(
                "ReadOnly",
                "push refused before any request: ecrp runs read-only (--read-only or read_only \
                 in the config); --dry-run is allowed",
            )
        })
    }

    /// The repository's URI (`public.ecr.aws/alias/name`), which also proves it exists before any
    /// byte is uploaded.
    pub async fn repository_uri(&self, t: &PushTarget) -> Result<String, AwsError> {
        // DescribeRepositories takes an account id only, not an alias.
        let account = t
            .registry_id
            .clone()
            .filter(|r| r.len() == 12 && r.bytes().all(|b| b.is_ascii_digit()));
        let out = self
            .client
            .describe_repositories()
            .set_registry_id(account)
            .repository_names(&t.repository)
            .send()
            .await?;
        out.repositories
            .unwrap_or_default()
            .into_iter()
            .find_map(|r| r.repository_uri)
            .ok_or_else(|| AwsError::new("ResponseError", "DescribeRepositories returned no URI"))
    }

    /// The digests among `digests` the repository already holds, asked in batches of 100.
    pub async fn available_layers(
        &self,
        t: &PushTarget,
        digests: &[String],
    ) -> Result<HashSet<String>, AwsError> {
        let mut found = HashSet::new();
        for chunk in digests.chunks(LAYER_DIGESTS_MAX) {
            let out = self
                .client
                .batch_check_layer_availability()
                .set_registry_id(t.registry_id.clone())
                .repository_name(&t.repository)
                .set_layer_digests(Some(chunk.to_vec()))
                .send()
                .await?;
            // Failures (MissingLayerDigest) simply mean "upload it".
            found.extend(
                out.layers
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|l| l.layer_availability == Some(LayerAvailability::Available))
                    .filter_map(|l| l.layer_digest),
            );
        }
        Ok(found)
    }

    /// Starts an upload: its id and the part size the service advises.
    pub async fn initiate_layer_upload(
        &self,
        t: &PushTarget,
    ) -> Result<(String, Option<i64>), AwsError> {
        self.guard("InitiateLayerUpload")?;
        let out = self
            .client
            .initiate_layer_upload()
            .set_registry_id(t.registry_id.clone())
            .repository_name(&t.repository)
            .send()
            .await?;
        let id = out
            .upload_id
            .ok_or_else(|| AwsError::new("ResponseError", "InitiateLayerUpload returned no id"))?;
        Ok((id, out.part_size))
    }

    /// Sends bytes `first ..= first + part.len() - 1` of an upload.
    pub async fn upload_layer_part(
        &self,
        t: &PushTarget,
        upload_id: &str,
        first: u64,
        part: Vec<u8>,
    ) -> Result<(), AwsError> {
        self.guard("UploadLayerPart")?;
        let last = first + part.len() as u64 - 1;
        let r = self
            .client
            .upload_layer_part()
            .set_registry_id(t.registry_id.clone())
            .repository_name(&t.repository)
            .upload_id(upload_id)
            .part_first_byte(first as i64)
            .part_last_byte(last as i64)
            .layer_part_blob(Blob::new(part))
            .send()
            .await;
        match r {
            Ok(_) => Ok(()),
            // A retried part the service had already received: it says it holds through `last`.
            Err(e)
                if matches!(e.as_service_error(),
                    Some(UploadLayerPartError::InvalidLayerPartException(x))
                        if x.last_valid_byte_received == Some(last as i64)) =>
            {
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Finishes an upload; the service hashes what it received and checks `digest`.
    pub async fn complete_layer_upload(
        &self,
        t: &PushTarget,
        upload_id: &str,
        digest: &str,
    ) -> Result<(), AwsError> {
        self.guard("CompleteLayerUpload")?;
        let r = self
            .client
            .complete_layer_upload()
            .set_registry_id(t.registry_id.clone())
            .repository_name(&t.repository)
            .upload_id(upload_id)
            .layer_digests(digest)
            .send()
            .await;
        match r {
            Ok(_) => Ok(()),
            // Another push (or our own retried request) stored the same bytes first.
            Err(e)
                if matches!(
                    e.as_service_error(),
                    Some(CompleteLayerUploadError::LayerAlreadyExistsException(_))
                ) =>
            {
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// PutImage with the manifest exactly as stored: the service's digest is of these bytes, and
    /// passing `digest` makes it check that.
    pub async fn put_image(
        &self,
        t: &PushTarget,
        manifest: &str,
        media_type: &str,
        tag: Option<&str>,
        digest: &str,
    ) -> Result<PutOutcome, AwsError> {
        self.guard("PutImage")?;
        let r = self
            .client
            .put_image()
            .set_registry_id(t.registry_id.clone())
            .repository_name(&t.repository)
            .image_manifest(manifest)
            .image_manifest_media_type(media_type)
            .set_image_tag(tag.map(str::to_string))
            .image_digest(digest)
            .send()
            .await;
        match r {
            Ok(_) => Ok(PutOutcome::Put),
            Err(e)
                if matches!(
                    e.as_service_error(),
                    Some(PutImageError::ImageAlreadyExistsException(_))
                ) =>
            {
                Ok(PutOutcome::AlreadyExists)
            }
            Err(e) => Err(e.into()),
        }
    }
}
