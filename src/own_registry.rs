//! The caller's own registry through the registry API: the ECR Public API cannot return
//! manifests, so whatever needs manifest bytes or an index's platform manifests (prune's
//! multi-arch safety and undo journal, the TUI's inspector, retag) reaches
//! `public.ecr.aws/<alias>/<repository>` through this.

use anyhow::{Context, Result};

use crate::aws::{Api, collect_all};
use crate::registry::{Credentials, RegistryClient};

/// A registry client for one ECR Public registry, authenticated, and the alias that prefixes
/// every repository name in the registry API (share it behind an `Arc`: its token cache is
/// per client).
pub struct OwnRegistry {
    pub client: RegistryClient,
    pub alias: String,
}

impl OwnRegistry {
    /// The caller's registry (or `registry_id`'s): its alias from DescribeRegistries, and a
    /// registry client authenticated with GetAuthorizationToken's password, which raises the
    /// pull rate limit and reaches what anonymous pulls may not.
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
        Ok(OwnRegistry { client, alias })
    }

    /// The registry API's name of one of this registry's repositories.
    pub fn name(&self, repository: &str) -> String {
        format!("{}/{repository}", self.alias)
    }
}
