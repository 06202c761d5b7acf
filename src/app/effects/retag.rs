//! The retag effect: the image's manifest read through the registry API (the ECR Public API
//! cannot return manifests), then PutImage with those exact bytes and the new tag, so the
//! service computes the same digest. Read-only mode refuses it before any request.

use crate::app::retag::TAG_ELSEWHERE;
use crate::aws::{Api, AwsError, PushTarget};
use crate::own_registry::OwnRegistry;
use crate::registry::{Digest, RegistryError, Target};
use crate::sanitize::clean_line;

/// Run one retag (`force`: move the tag even when it names another image).
pub async fn apply(
    api: &Api,
    registry_url: Option<&str>,
    registry_id: &str,
    repo: &str,
    digest: &str,
    tag: &str,
    force: bool,
) -> Result<(), AwsError> {
    if api.read_only() {
        return Err(AwsError::read_only("PutImage (retag)"));
    }
    if let Some(why) = crate::model::names::image_tag_problem(tag) {
        return Err(AwsError::new("InvalidInput", why));
    }
    let wanted = Digest::parse(digest).map_err(|e| AwsError::new("InvalidInput", e))?;
    let own = OwnRegistry::connect(api, Some(registry_id), registry_url)
        .await
        .map_err(|e| AwsError::new("RegistryError", clean_line(&format!("{e:#}")).into_owned()))?;
    let name = own.name(repo);
    let manifest = own
        .client
        .get_manifest(&name, &Target::Digest(wanted))
        .await
        .map_err(registry_error)?;
    if !force {
        match own
            .client
            .head_manifest(&name, &Target::Tag(tag.into()))
            .await
        {
            Ok(head) => {
                if let Some(now) = head.digest.filter(|d| d.to_string() != digest) {
                    let mut e = AwsError::new(TAG_ELSEWHERE, format!("{tag} points to {now} now"));
                    e.detail = now.to_string();
                    return Err(e);
                }
            }
            // A tag that does not exist yet is the usual case.
            Err(e) if e.status() == Some(404) => {}
            Err(e) => return Err(registry_error(e)),
        }
    }
    let text = String::from_utf8(manifest.bytes.to_vec()).map_err(|_| {
        AwsError::new(
            "InvalidManifest",
            "the manifest is not UTF-8 text, which PutImage requires",
        )
    })?;
    let target = PushTarget {
        registry_id: Some(registry_id.to_string()),
        repository: repo.to_string(),
    };
    api.put_image(&target, &text, &manifest.media_type, Some(tag), digest)
        .await
        .map(drop)
}

fn registry_error(e: RegistryError) -> AwsError {
    let code = e.code().unwrap_or("RegistryError").to_string();
    AwsError::new(code, clean_line(&e.to_string()).into_owned())
}
