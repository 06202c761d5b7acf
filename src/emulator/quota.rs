//! Service quotas (`--quota repositories=N,images=N`): the documented defaults unless overridden,
//! answered with LimitExceededException as the service answers a reached quota.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use super::error::{ApiError, ApiResult};
use super::limits::{QUOTA_IMAGES_PER_REPOSITORY, QUOTA_REPOSITORIES};
use super::state::State;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    /// Repositories in the registry.
    pub repositories: usize,
    /// Images (distinct manifests) in one repository.
    pub images_per_repository: usize,
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas {
            repositories: QUOTA_REPOSITORIES,
            images_per_repository: QUOTA_IMAGES_PER_REPOSITORY,
        }
    }
}

impl fmt::Display for Quotas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "repositories={},images={}",
            self.repositories, self.images_per_repository
        )
    }
}

impl FromStr for Quotas {
    type Err = String;

    /// `repositories=N,images=N`, each part optional; unnamed quotas keep their defaults.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut q = Quotas::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| format!("'{part}': expected NAME=COUNT"))?;
            let n: usize = value
                .trim()
                .parse()
                .map_err(|_| format!("'{part}': the count must be a whole number of at least 0"))?;
            match name.trim() {
                "repositories" => q.repositories = n,
                "images" => q.images_per_repository = n,
                other => {
                    return Err(format!(
                        "unknown quota '{other}' (known: repositories, images)"
                    ));
                }
            }
        }
        Ok(q)
    }
}

fn exceeded(message: String) -> ApiError {
    ApiError::new("LimitExceededException", message)
}

impl Quotas {
    /// Before CreateRepository adds one to `existing`.
    pub fn check_repositories(&self, existing: usize) -> ApiResult<()> {
        if existing >= self.repositories {
            return Err(exceeded(format!(
                "The maximum number of repositories ({}) has been reached for this registry",
                self.repositories
            )));
        }
        Ok(())
    }

    /// Before PutImage adds a manifest the repository does not hold yet.
    pub fn check_images(&self, repository: &str, existing: usize) -> ApiResult<()> {
        if existing >= self.images_per_repository {
            return Err(exceeded(format!(
                "The maximum number of images per repository ({}) has been reached for the repository with name '{repository}'",
                self.images_per_repository
            )));
        }
        Ok(())
    }
}

impl Quotas {
    /// Before PutImage: a manifest the repository already holds (a re-tag) adds no image, so only
    /// a new digest counts against the quota. An unknown repository is left to the operation.
    pub fn check_put_image(
        &self,
        state: &State,
        repository: &str,
        manifest: &str,
    ) -> ApiResult<()> {
        let Some(repo) = state.repos.get(repository) else {
            return Ok(());
        };
        let digest = format!(
            "sha256:{}",
            hex::encode(Sha256::digest(manifest.as_bytes()))
        );
        if repo.images.contains_key(&digest) {
            return Ok(());
        }
        self.check_images(repository, repo.images.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_overrides_and_keeps_defaults() {
        let q: Quotas = "images=3".parse().unwrap();
        assert_eq!(q.images_per_repository, 3);
        assert_eq!(q.repositories, QUOTA_REPOSITORIES);
        let q: Quotas = "repositories=0, images=7".parse().unwrap();
        assert_eq!((q.repositories, q.images_per_repository), (0, 7));
        assert_eq!(q.to_string(), "repositories=0,images=7");
        assert!(
            "layers=3"
                .parse::<Quotas>()
                .unwrap_err()
                .contains("unknown quota 'layers'")
        );
        assert!("images".parse::<Quotas>().is_err());
        assert!("images=-1".parse::<Quotas>().is_err());
    }

    #[test]
    fn a_reached_quota_is_limit_exceeded() {
        let q: Quotas = "repositories=2,images=1".parse().unwrap();
        assert!(q.check_repositories(1).is_ok());
        let e = q.check_repositories(2).unwrap_err();
        assert_eq!((e.code, e.status), ("LimitExceededException", 400));
        assert!(e.message.contains("(2)"));
        assert!(q.check_images("app", 0).is_ok());
        assert!(
            q.check_images("app", 1)
                .unwrap_err()
                .message
                .contains("'app'")
        );
    }
}
