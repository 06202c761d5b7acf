//! Opaque page tokens that name a position by key: base64 of `ecrp1 \n <operation> \n <scope> \n
//! <last key>`. The next page starts strictly after the last key, so deleting items between pages
//! neither skips nor repeats any. A token from another operation or scope is refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::error::{ApiError, ApiResult};
use super::limits::DEFAULT_PAGE_SIZE;

const VERSION: &str = "ecrp1";

pub fn encode(op: &str, scope: &str, last_key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{VERSION}\n{op}\n{scope}\n{last_key}"))
}

/// The last key a token carries, if it was made for this operation and scope.
pub fn decode(token: &str, op: &str, scope: &str) -> ApiResult<String> {
    let invalid = || {
        ApiError::invalid(
            "Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid NextToken'",
        )
    };
    let raw = URL_SAFE_NO_PAD
        .decode(token.as_bytes())
        .map_err(|_| invalid())?;
    let text = String::from_utf8(raw).map_err(|_| invalid())?;
    let mut parts = text.splitn(4, '\n');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(VERSION), Some(o), Some(s), Some(key)) if o == op && s == scope => {
            Ok(key.to_string())
        }
        _ => Err(invalid()),
    }
}

/// Page size from an already validated maxResults.
pub fn page_size(max_results: Option<i64>) -> usize {
    max_results.map_or(DEFAULT_PAGE_SIZE, |n| n as usize)
}

/// Takes up to `size` items from a key-ordered iterator (already positioned after the token's
/// key) and returns them with the token for the next page, if more remain.
pub fn page<I, T>(
    mut items: I,
    size: usize,
    op: &str,
    scope: &str,
    key_of: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>)
where
    I: Iterator<Item = T>,
{
    let rows: Vec<T> = items.by_ref().take(size).collect();
    let next = match (rows.last(), items.next()) {
        (Some(last), Some(_)) => Some(encode(op, scope, &key_of(last))),
        _ => None,
    };
    (rows, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_are_bound() {
        let t = encode("DescribeImages", "web", "-17:sha256:ab");
        assert_eq!(
            decode(&t, "DescribeImages", "web").unwrap(),
            "-17:sha256:ab"
        );
        assert_eq!(
            decode(&t, "DescribeImages", "api").unwrap_err().code,
            "InvalidParameterException"
        );
        assert_eq!(
            decode(&t, "DescribeImageTags", "web").unwrap_err().code,
            "InvalidParameterException"
        );
        assert!(decode("garbage!!", "DescribeImages", "web").is_err());
        assert!(decode(&URL_SAFE_NO_PAD.encode("x\ny"), "DescribeImages", "web").is_err());
    }

    #[test]
    fn page_stops_with_token_only_when_more_remain() {
        let (rows, next) = page(1..=5, 2, "Op", "s", |n: &i32| n.to_string());
        assert_eq!(rows, vec![1, 2]);
        assert_eq!(decode(&next.unwrap(), "Op", "s").unwrap(), "2");
        let (rows, next) = page(1..=2, 2, "Op", "s", |n: &i32| n.to_string());
        assert_eq!(rows.len(), 2);
        assert!(next.is_none());
    }
}
