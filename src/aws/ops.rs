//! Single-call operations: reads for the preview panes, and every mutation (each guarded by
//! read-only mode before a request is built).

use aws_sdk_ecrpublic::error::ProvideErrorMetadata;
use aws_sdk_ecrpublic::primitives::Blob;
use aws_sdk_ecrpublic::types as sdk;
use futures::{Stream, StreamExt};

use super::rows::{Catalog, CatalogInput, ImageRef, RepoRow, Tag};
use super::{Api, AwsError, Epoch};

pub type PolicyText = String;

/// The service's limit on image ids per BatchDeleteImage call.
pub const DELETE_CHUNK: usize = 100;

/// What one BatchDeleteImage call (or a failed call) did to its ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteOutcome {
    /// (digest, tag) of what the service reports deleted.
    pub deleted: Vec<(Option<String>, Option<String>)>,
    /// Each id the service refused, with its failureCode and failureReason (or the call's error).
    pub failures: Vec<(ImageRef, String, String)>,
    /// How many ids this outcome accounts for (the chunk's size).
    pub requested: usize,
}

/// The sum of every chunk of a bulk delete.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteReport {
    pub requested: usize,
    pub deleted: usize,
    pub failures: Vec<(ImageRef, String, String)>,
}

impl DeleteReport {
    pub fn add(&mut self, o: &DeleteOutcome) {
        self.requested += o.requested;
        self.deleted += o.deleted.len();
        self.failures.extend(o.failures.iter().cloned());
    }
}

fn image_id(r: &ImageRef) -> sdk::ImageIdentifier {
    match r {
        ImageRef::Digest(d) => sdk::ImageIdentifier::builder().image_digest(d).build(),
        ImageRef::Tag(t) => sdk::ImageIdentifier::builder().image_tag(t).build(),
    }
}

fn catalog_input(c: &CatalogInput) -> sdk::RepositoryCatalogDataInput {
    sdk::RepositoryCatalogDataInput::builder()
        .set_description(c.description.clone())
        .set_architectures(Some(c.architectures.clone()))
        .set_operating_systems(Some(c.operating_systems.clone()))
        .set_logo_image_blob(c.logo_png.clone().map(Blob::new))
        .set_about_text(c.about_text.clone())
        .set_usage_text(c.usage_text.clone())
        .build()
}

fn sdk_tags(tags: &[Tag]) -> Vec<sdk::Tag> {
    tags.iter()
        .map(|t| sdk::Tag::builder().key(&t.key).value(&t.value).build())
        .collect()
}

impl Api {
    /// The caller's registry display name (GetRegistryCatalogData).
    pub async fn registry_display_name(&self) -> Result<Option<String>, AwsError> {
        let out = self.client.get_registry_catalog_data().send().await?;
        Ok(out.registry_catalog_data.and_then(|c| c.display_name))
    }

    pub async fn put_registry_display_name(&self, name: &str) -> Result<Option<String>, AwsError> {
        self.guard("PutRegistryCatalogData")?;
        let out = self
            .client
            .put_registry_catalog_data()
            .display_name(name)
            .send()
            .await?;
        Ok(out.registry_catalog_data.and_then(|c| c.display_name))
    }

    /// A repository's catalog; a repository that never had one reads as an empty catalog.
    pub async fn repository_catalog(&self, repo: &str) -> Result<Catalog, AwsError> {
        match self
            .client
            .get_repository_catalog_data()
            .repository_name(repo)
            .send()
            .await
        {
            Ok(out) => Ok(out.catalog_data.map(Catalog::from_sdk).unwrap_or_default()),
            Err(e) if e.code() == Some("RepositoryCatalogDataNotFoundException") => {
                Ok(Catalog::default())
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn put_repository_catalog(
        &self,
        repo: &str,
        input: &CatalogInput,
    ) -> Result<Catalog, AwsError> {
        self.guard("PutRepositoryCatalogData")?;
        let out = self
            .client
            .put_repository_catalog_data()
            .repository_name(repo)
            .catalog_data(catalog_input(input))
            .send()
            .await?;
        Ok(out.catalog_data.map(Catalog::from_sdk).unwrap_or_default())
    }

    pub async fn create_repository(
        &self,
        name: &str,
        catalog: Option<&CatalogInput>,
        tags: &[Tag],
    ) -> Result<RepoRow, AwsError> {
        self.guard("CreateRepository")?;
        let mut req = self.client.create_repository().repository_name(name);
        if let Some(c) = catalog {
            req = req.catalog_data(catalog_input(c));
        }
        if !tags.is_empty() {
            req = req.set_tags(Some(sdk_tags(tags)));
        }
        let out = req.send().await?;
        out.repository.map(RepoRow::from_sdk).ok_or_else(|| {
            AwsError::new("ResponseError", "CreateRepository returned no repository")
        })
    }

    pub async fn delete_repository(&self, name: &str, force: bool) -> Result<RepoRow, AwsError> {
        self.guard("DeleteRepository")?;
        let out = self
            .client
            .delete_repository()
            .repository_name(name)
            .force(force)
            .send()
            .await?;
        out.repository.map(RepoRow::from_sdk).ok_or_else(|| {
            AwsError::new("ResponseError", "DeleteRepository returned no repository")
        })
    }

    /// The repository policy, or `None` when it has none (a fact, not an error).
    pub async fn repository_policy(&self, repo: &str) -> Result<Option<PolicyText>, AwsError> {
        match self
            .client
            .get_repository_policy()
            .repository_name(repo)
            .send()
            .await
        {
            Ok(out) => Ok(out.policy_text),
            Err(e) if e.code() == Some("RepositoryPolicyNotFoundException") => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn set_repository_policy(
        &self,
        repo: &str,
        text: &str,
        force: bool,
    ) -> Result<Option<PolicyText>, AwsError> {
        self.guard("SetRepositoryPolicy")?;
        let out = self
            .client
            .set_repository_policy()
            .repository_name(repo)
            .policy_text(text)
            .force(force)
            .send()
            .await?;
        Ok(out.policy_text)
    }

    pub async fn delete_repository_policy(
        &self,
        repo: &str,
    ) -> Result<Option<PolicyText>, AwsError> {
        self.guard("DeleteRepositoryPolicy")?;
        let out = self
            .client
            .delete_repository_policy()
            .repository_name(repo)
            .send()
            .await?;
        Ok(out.policy_text)
    }

    pub async fn list_tags(&self, arn: &str) -> Result<Vec<Tag>, AwsError> {
        let out = self
            .client
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await?;
        Ok(out
            .tags
            .unwrap_or_default()
            .into_iter()
            .map(|t| Tag {
                key: t.key.unwrap_or_default(),
                value: t.value.unwrap_or_default(),
            })
            .collect())
    }

    pub async fn tag_resource(&self, arn: &str, tags: &[Tag]) -> Result<(), AwsError> {
        self.guard("TagResource")?;
        self.client
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(sdk_tags(tags)))
            .send()
            .await?;
        Ok(())
    }

    pub async fn untag_resource(&self, arn: &str, keys: &[String]) -> Result<(), AwsError> {
        self.guard("UntagResource")?;
        self.client
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(keys.to_vec()))
            .send()
            .await?;
        Ok(())
    }

    /// One BatchDeleteImage call for at most 100 ids. A call that fails as a whole reports every
    /// id as failed with the call's error code, so a bulk delete still accounts for each id once.
    pub async fn batch_delete(&self, repo: &str, ids: &[ImageRef]) -> DeleteOutcome {
        let mut outcome = DeleteOutcome {
            requested: ids.len(),
            ..Default::default()
        };
        let result = match self.guard("BatchDeleteImage") {
            Err(e) => Err(e),
            Ok(()) => self
                .client
                .batch_delete_image()
                .set_registry_id(self.registry_id.clone())
                .repository_name(repo)
                .set_image_ids(Some(ids.iter().map(image_id).collect()))
                .send()
                .await
                .map_err(AwsError::from),
        };
        match result {
            Ok(out) => {
                outcome.deleted = out
                    .image_ids
                    .unwrap_or_default()
                    .into_iter()
                    .map(|i| (i.image_digest, i.image_tag))
                    .collect();
                outcome.failures = out
                    .failures
                    .unwrap_or_default()
                    .into_iter()
                    .map(|f| {
                        let id = f
                            .image_id
                            .unwrap_or_else(|| sdk::ImageIdentifier::builder().build());
                        let r = match (id.image_digest, id.image_tag) {
                            (_, Some(t)) => ImageRef::Tag(t),
                            (Some(d), None) => ImageRef::Digest(d),
                            (None, None) => ImageRef::Tag(String::new()),
                        };
                        let code = f
                            .failure_code
                            .map(|c| c.as_str().to_string())
                            .unwrap_or_default();
                        (r, code, f.failure_reason.unwrap_or_default())
                    })
                    .collect();
            }
            Err(e) => {
                outcome.failures = ids
                    .iter()
                    .map(|r| (r.clone(), e.code.clone(), e.message.clone()))
                    .collect();
            }
        }
        outcome
    }

    /// Delete many images (see [`DELETE_CONCURRENCY`]): chunks of 100, `concurrency` calls in flight, one outcome per chunk as
    /// it finishes (for a progress bar). Dropping the stream stops sending further chunks.
    pub fn delete_images(
        &self,
        repo: &str,
        ids: Vec<ImageRef>,
        concurrency: usize,
    ) -> impl Stream<Item = DeleteOutcome> + Send + 'static {
        let never = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        self.delete_images_until(repo, ids, concurrency, never)
    }

    /// As `delete_images`, but once `stop` is set no further chunk starts; chunks already sent
    /// still report, so every id is either in an outcome or was never sent.
    pub fn delete_images_until(
        &self,
        repo: &str,
        ids: Vec<ImageRef>,
        concurrency: usize,
        stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    ) -> impl Stream<Item = DeleteOutcome> + Send + 'static {
        let api = self.clone();
        let repo = repo.to_string();
        let chunks: Vec<Vec<ImageRef>> = ids.chunks(DELETE_CHUNK).map(<[_]>::to_vec).collect();
        futures::stream::iter(chunks)
            .take_while(move |_| {
                futures::future::ready(!stop.load(std::sync::atomic::Ordering::SeqCst))
            })
            .map(move |chunk| {
                let api = api.clone();
                let repo = repo.clone();
                async move { api.batch_delete(&repo, &chunk).await }
            })
            .buffer_unordered(concurrency.max(1))
    }

    /// A token for `docker login` (GetAuthorizationToken): the base64 `AWS:password` and its expiry.
    pub async fn authorization_token(&self) -> Result<(String, Epoch), AwsError> {
        let out = self.client.get_authorization_token().send().await?;
        let data = out.authorization_data.ok_or_else(|| {
            AwsError::new("ResponseError", "no authorizationData in the response")
        })?;
        Ok((
            data.authorization_token.unwrap_or_default(),
            data.expires_at.map(|t| t.secs()).unwrap_or(0),
        ))
    }
}
