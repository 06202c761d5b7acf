//! The service model's name, id and digest patterns as plain functions (no regex engine): the
//! emulator rejects requests with them and the client checks input with them before sending.

/// One `[a-z0-9]+(?:[._-][a-z0-9]+)*` component.
fn is_component(s: &str) -> bool {
    let b = s.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && alnum(b[0])
        && alnum(b[b.len() - 1])
        && b.windows(2).all(|w| alnum(w[0]) || alnum(w[1]))
        && b.iter()
            .all(|&c| alnum(c) || matches!(c, b'.' | b'_' | b'-'))
}

/// `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`
pub fn is_repository_name(s: &str) -> bool {
    s.split('/').all(is_component)
}

/// `[a-z][a-z0-9]+(?:[._-][a-z0-9]+)*`
pub fn is_registry_alias(s: &str) -> bool {
    let b = s.as_bytes();
    is_component(s)
        && b[0].is_ascii_lowercase()
        && b.len() >= 2
        && (b[1].is_ascii_lowercase() || b[1].is_ascii_digit())
}

/// `[0-9]{12}`
pub fn is_registry_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|c| c.is_ascii_digit())
}

/// `[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+`
pub fn is_layer_digest(s: &str) -> bool {
    let Some((algo, hex)) = s.split_once(':') else {
        return false;
    };
    !algo.is_empty()
        && algo
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'+' | b'.'))
        && !hex.is_empty()
        && hex.bytes().all(|c| c.is_ascii_hexdigit())
}

/// A digest ECR accepts for an image: `sha256:` and 64 lowercase hex digits.
pub fn is_image_digest(s: &str) -> bool {
    s.strip_prefix("sha256:").is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    })
}

/// The longest tag the registry API accepts (the OCI distribution grammar): PutImage itself takes
/// up to 300 characters, but a tag no client can pull by would be useless.
pub const IMAGE_TAG_PULLABLE_MAX: usize = 128;

/// What is wrong with `s` as an image tag, naming the field and the limit: the distribution
/// grammar `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`, within the service's 1–300 characters.
pub fn image_tag_problem(s: &str) -> Option<String> {
    let n = s.chars().count();
    if n == 0 {
        return Some("tag: required (1 to 128 characters)".into());
    }
    if n > IMAGE_TAG_PULLABLE_MAX {
        return Some(format!(
            "tag: {n} / {IMAGE_TAG_PULLABLE_MAX} characters (the most the registry API accepts)"
        ));
    }
    if let Some(c) = s
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Some(format!(
            "tag: {c:?} is not allowed (letters, digits, '.', '_' and '-' only)"
        ));
    }
    if s.starts_with(['.', '-']) {
        return Some("tag: must start with a letter, a digit or '_'".into());
    }
    None
}

/// A UUID in its 8-4-4-4-12 hex form.
pub fn is_upload_id(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_tags() {
        for ok in ["v1", "latest", "_x", "1.2.3-rc_1", &"a".repeat(128)] {
            assert_eq!(image_tag_problem(ok), None, "{ok}");
        }
        assert!(image_tag_problem("").unwrap().contains("required"));
        assert!(
            image_tag_problem(&"a".repeat(129))
                .unwrap()
                .contains("129 / 128")
        );
        assert!(image_tag_problem("v 1").unwrap().contains("' '"));
        assert!(image_tag_problem("-v1").unwrap().contains("must start"));
        assert!(image_tag_problem(".v1").unwrap().contains("must start"));
    }

    #[test]
    fn repository_names() {
        for ok in ["ab", "acme/web", "a.b-c_d/e", "x1/y2/z3"] {
            assert!(is_repository_name(ok), "{ok}");
        }
        for bad in [
            "Web", "a//b", "/ab", "ab/", "a..b", "-ab", "ab-", "a b", "a__b_",
        ] {
            assert!(!is_repository_name(bad), "{bad}");
        }
    }

    #[test]
    fn aliases_ids_digests_uploads() {
        assert!(
            is_registry_alias("acme")
                && is_registry_alias("a1-b")
                && !is_registry_alias("a")
                && !is_registry_alias("1abc")
        );
        assert!(
            is_registry_id("123456789012")
                && !is_registry_id("12345678901a")
                && !is_registry_id("1234")
        );
        assert!(
            is_layer_digest("sha256:abc0")
                && !is_layer_digest("sha256:xyz")
                && !is_layer_digest("abc")
        );
        assert!(
            is_upload_id("0f8fad5b-d9cb-469f-a165-70867728950e")
                && !is_upload_id("0f8fad5b-d9cb-469f-a165")
        );
    }
}
