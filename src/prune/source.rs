//! The registry API (through [`OwnRegistry`]) as the [`ManifestSource`] of `ecrp prune`: the
//! ECR Public API cannot return manifests, so the platform manifests of indexes (multi-arch safety) and the exact bytes of what
//! goes (the undo journal) are read at `public.ecr.aws/<alias>/<repository>`.

use crate::lifecycle::{Manifest, ManifestFuture, ManifestSource};
use crate::own_registry::OwnRegistry;
use crate::registry::{Digest, Target};

pub struct RegistrySource(pub OwnRegistry);

impl ManifestSource for RegistrySource {
    fn manifest<'a>(&'a self, repository: &'a str, digest: &'a str) -> ManifestFuture<'a> {
        Box::pin(async move {
            let digest = Digest::parse(digest)?;
            let name = self.0.name(repository);
            let m = self
                .0
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
