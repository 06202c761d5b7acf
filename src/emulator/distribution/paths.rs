//! `/v2/<name>/...` paths, read from the raw request path: percent-encoded characters (an
//! encoded `/` could smuggle a name past the router), empty, `.` and `..` segments are refused
//! before anything looks the name up.

use super::errors::{RegError, RegResult};
use crate::emulator::validate;

#[derive(Debug, PartialEq)]
pub enum Route {
    Manifest { name: String, reference: String },
    Blob { name: String, digest: String },
    Upload { name: String, id: Option<String> },
    Tags { name: String },
}

impl Route {
    pub fn name(&self) -> &str {
        match self {
            Route::Manifest { name, .. }
            | Route::Blob { name, .. }
            | Route::Upload { name, .. }
            | Route::Tags { name } => name,
        }
    }
}

/// Longest name the distribution spec lets clients assume.
const NAME_MAX: usize = 255;

/// A name as the distribution spec's grammar has it: slash-separated components of lowercase
/// letters and digits joined by `.`, `_`, `__` or runs of `-`; and `<alias>/<repository>`
/// with a repository name ECR would accept.
fn check_name(name: &str) -> RegResult<()> {
    if name.len() > NAME_MAX {
        return Err(RegError::name_invalid(&format!(
            "longer than {NAME_MAX} characters"
        )));
    }
    let component_ok = |c: &str| {
        let b = c.as_bytes();
        !b.is_empty()
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && c.bytes()
                .all(|x| x.is_ascii_lowercase() || x.is_ascii_digit() || b"._-".contains(&x))
            && !c.contains("..")
            && !c.contains("___")
            && !c.contains("._")
            && !c.contains("_.")
    };
    if !name.split('/').all(component_ok) {
        return Err(RegError::name_invalid(
            "components are lowercase letters and digits separated by '.', '_', '__' or '-'",
        ));
    }
    match name.split_once('/') {
        Some((_, repo)) if validate::is_repository_name(repo) => Ok(()),
        _ => Err(RegError::name_unknown(name)),
    }
}

pub fn parse(path: &str) -> RegResult<Route> {
    if path.contains('%') {
        return Err(RegError::name_invalid(
            "percent-encoded characters are not accepted",
        ));
    }
    let rest = path
        .strip_prefix("/v2/")
        .ok_or_else(|| RegError::unsupported(404, "not a registry path"))?;
    if rest
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
        && !rest.ends_with("/uploads/")
    {
        return Err(RegError::name_invalid(
            "empty, '.' and '..' path segments are not accepted",
        ));
    }
    let route = if let Some(name) = rest.strip_suffix("/tags/list") {
        Route::Tags { name: name.into() }
    } else if let Some(i) = rest.rfind("/blobs/uploads") {
        let tail = &rest[i + "/blobs/uploads".len()..];
        let id = match tail {
            "" | "/" => None,
            t => Some(t.trim_start_matches('/').to_string()),
        };
        if id.as_deref().is_some_and(|i| i.contains('/')) {
            return Err(RegError::upload_unknown());
        }
        Route::Upload {
            name: rest[..i].into(),
            id,
        }
    } else if let Some(i) = rest.rfind("/manifests/") {
        let reference = &rest[i + "/manifests/".len()..];
        if reference.contains('/') {
            return Err(RegError::unsupported(404, "not a registry path"));
        }
        Route::Manifest {
            name: rest[..i].into(),
            reference: reference.into(),
        }
    } else if let Some(i) = rest.rfind("/blobs/") {
        let digest = &rest[i + "/blobs/".len()..];
        if digest.contains('/') {
            return Err(RegError::unsupported(404, "not a registry path"));
        }
        Route::Blob {
            name: rest[..i].into(),
            digest: digest.into(),
        }
    } else {
        return Err(RegError::unsupported(404, "not a registry path"));
    };
    check_name(route.name())?;
    Ok(route)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_slashes_and_each_endpoint() {
        assert_eq!(
            parse("/v2/acme/ci/builds/manifests/v1").unwrap(),
            Route::Manifest {
                name: "acme/ci/builds".into(),
                reference: "v1".into()
            }
        );
        assert_eq!(
            parse("/v2/acme/web/tags/list").unwrap(),
            Route::Tags {
                name: "acme/web".into()
            }
        );
        assert_eq!(
            parse("/v2/acme/web/blobs/uploads/").unwrap(),
            Route::Upload {
                name: "acme/web".into(),
                id: None
            }
        );
        assert_eq!(
            parse("/v2/acme/web/blobs/uploads/abc").unwrap(),
            Route::Upload {
                name: "acme/web".into(),
                id: Some("abc".into())
            }
        );
        assert_eq!(
            parse("/v2/acme/web/blobs/sha256:ab").unwrap(),
            Route::Blob {
                name: "acme/web".into(),
                digest: "sha256:ab".into()
            }
        );
    }

    #[test]
    fn path_tricks_are_refused() {
        for p in [
            "/v2/acme/../web/manifests/v1",
            "/v2/acme/./web/manifests/v1",
            "/v2/acme//web/manifests/v1",
            "/v2/acme%2Fweb/manifests/v1",
            "/v2/acme/Web/manifests/v1",
            "/v2/acme/web/manifests/a/b",
        ] {
            assert!(parse(p).is_err(), "{p}");
        }
        assert_eq!(
            parse("/v2/acme/web%2e%2e/tags/list").unwrap_err().code,
            "NAME_INVALID"
        );
        assert_eq!(parse("/v2/web/tags/list").unwrap_err().code, "NAME_UNKNOWN");
    }
}
