//! The registry API as the [`ManifestSource`] of `ecrp prune`: the ECR Public API cannot return
//! manifests, so the platform manifests of indexes (multi-arch safety) and the exact bytes of what
//! goes (the undo journal) are read at `public.ecr.aws/<alias>/<repository>`.

use anyhow::{Context, Result};

use crate::aws::{Api, collect_all};
use crate::lifecycle::{Manifest, ManifestFuture, ManifestSource};
use crate::registry::{Credentials, Digest, RegistryClient, Target};

pub struct RegistrySource {
    client: RegistryClient,
    /// The registry alias that prefixes every repository name in the registry API.
    alias: String,
}

impl RegistrySource {
    pub fn new(client: RegistryClient, alias: String) -> Self {
        RegistrySource { client, alias }
    }

    /// The source for the caller's registry (or `registry_id`'s): its alias from
    /// DescribeRegistries, and a registry client authenticated with GetAuthorizationToken's
    /// password, which raises the pull rate limit and reaches what anonymous pulls may not.
    pub async fn connect(
        api: &Api,
        registry_id: Option<&str>,
        registry_url: Option<&str>,
    ) -> Result<Self> {
        let registries = collect_all(api.registries(None))
            .await
            .context("listing registries (DescribeRegistries) to find the registry alias")?;
        let registry = registries
            .iter()
            .find(|r| registry_id.is_none_or(|id| r.registry_id == id))
            .context("no registry found for the registry alias")?;
        let alias = registry
            .primary_alias()
            .context("the registry has no alias, so its images have no registry API address")?
            .to_string();
        let token = crate::login::fetch(api)
            .await
            .context("GetAuthorizationToken for the registry API")?;
        let credentials = Credentials {
            username: crate::login::USERNAME.into(),
            password: crate::registry::Secret::new(token.password.expose()),
        };
        let reference = crate::registry::Reference::parse(&format!(
            "{}/{alias}/x",
            crate::registry::ECR_PUBLIC_HOST
        ))?;
        let client = crate::inspect::client_for(&reference, registry_url, Some(credentials))?;
        Ok(RegistrySource::new(client, alias))
    }
}

impl ManifestSource for RegistrySource {
    fn manifest<'a>(&'a self, repository: &'a str, digest: &'a str) -> ManifestFuture<'a> {
        Box::pin(async move {
            let digest = Digest::parse(digest)?;
            let name = format!("{}/{repository}", self.alias);
            let m = self
                .client
                .get_manifest(&name, &Target::Digest(digest))
                .await
                .map_err(|e| e.to_string())?;
            Ok(Manifest {
                bytes: m.bytes.to_vec(),
                media_type: m.media_type,
            })
        })
    }
}
