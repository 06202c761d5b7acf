//! Model constraints checked the way AWS reports them: every violation of a request is collected
//! and reported in one InvalidParameterException ("N validation errors detected: …").

use super::error::{ApiError, ApiResult};
use super::input::Input;
use super::limits::*;
// The patterns live with the client's input checks; the emulator names them from here.
pub use crate::model::names::{
    is_image_digest, is_layer_digest, is_registry_alias, is_registry_id, is_repository_name,
    is_upload_id,
};

#[derive(Default)]
pub struct Validator {
    errors: Vec<String>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    fn push(&mut self, value: Option<&str>, field: &str, constraint: String) {
        let value = match value {
            // AWS quotes short values and elides long ones (names can be sensitive or huge).
            Some(v) if v.chars().count() <= 64 => format!("Value '{v}' at"),
            Some(_) => "Value at".to_string(),
            None => "Value null at".to_string(),
        };
        self.errors.push(format!(
            "{value} '{field}' failed to satisfy constraint: Member must {constraint}"
        ));
    }

    pub fn required<T>(&mut self, field: &str, value: &Option<T>) {
        if value.is_none() {
            self.push(None, field, "not be null".into());
        }
    }

    /// Length in characters between min and max.
    pub fn len(&mut self, field: &str, value: &str, min: usize, max: usize) {
        let n = value.chars().count();
        if n < min {
            self.push(
                Some(value),
                field,
                format!("have length greater than or equal to {min}"),
            );
        } else if n > max {
            // Over-long values are never echoed back.
            self.errors.push(format!(
                "Value at '{field}' failed to satisfy constraint: Member must have length less than or equal to {max}"
            ));
        }
    }

    /// Size of a decoded blob in bytes.
    pub fn bytes(&mut self, field: &str, n: usize, max: usize) {
        if n > max {
            self.errors.push(format!(
                "Value at '{field}' failed to satisfy constraint: Member must have length less than or equal to {max}"
            ));
        }
    }

    pub fn count(&mut self, field: &str, n: usize, min: usize, max: usize) {
        if n < min {
            self.errors.push(format!(
                "Value at '{field}' failed to satisfy constraint: Member must have length greater than or equal to {min}"
            ));
        } else if n > max {
            self.errors.push(format!(
                "Value at '{field}' failed to satisfy constraint: Member must have length less than or equal to {max}"
            ));
        }
    }

    pub fn range(&mut self, field: &str, n: i64, min: i64, max: i64) {
        if n < min {
            self.push(
                Some(&n.to_string()),
                field,
                format!("have value greater than or equal to {min}"),
            );
        } else if n > max {
            self.push(
                Some(&n.to_string()),
                field,
                format!("have value less than or equal to {max}"),
            );
        }
    }

    pub fn pattern(&mut self, field: &str, value: &str, ok: fn(&str) -> bool, pattern: &str) {
        if !ok(value) {
            self.push(
                Some(value),
                field,
                format!("satisfy regular expression pattern: {pattern}"),
            );
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn finish(self) -> ApiResult<()> {
        self.finish_as("InvalidParameterException")
    }

    pub fn finish_as(self, code: &'static str) -> ApiResult<()> {
        match self.errors.len() {
            0 => Ok(()),
            1 => Err(ApiError::new(
                code,
                format!("1 validation error detected: {}", self.errors[0]),
            )),
            n => Err(ApiError::new(
                code,
                format!("{n} validation errors detected: {}", self.errors.join("; ")),
            )),
        }
    }

    /// Common member checks.
    pub fn repository_name(&mut self, field: &str, name: &str) {
        self.len(field, name, REPOSITORY_NAME_MIN, REPOSITORY_NAME_MAX);
        self.pattern(field, name, is_repository_name, REPOSITORY_NAME_PATTERN);
    }

    pub fn registry_id(&mut self, field: &str, id: &str) {
        self.pattern(field, id, is_registry_id, REGISTRY_ID_PATTERN);
    }

    pub fn registry_id_or_alias(&mut self, field: &str, id: &str) {
        self.len(
            field,
            id,
            REGISTRY_ID_OR_ALIAS_MIN,
            REGISTRY_ID_OR_ALIAS_MAX,
        );
    }

    /// The members of an ImageIdentifierList, checked as the model checks nested members: a bad
    /// imageTag is an InvalidParameterException naming `imageIds.N.member.imageTag`, reported with
    /// the request's other violations, never an ImageNotFound failure for a tag that cannot exist.
    /// Returns the (digest, tag) pairs in request order.
    pub fn image_ids(&mut self, ids: &[Input]) -> ApiResult<Vec<(Option<String>, Option<String>)>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let (digest, tag) = (id.str("imageDigest")?, id.str("imageTag")?);
            if let Some(t) = &tag {
                self.len(&id.name("imageTag"), t, IMAGE_TAG_MIN, IMAGE_TAG_MAX);
            }
            out.push((digest, tag));
        }
        Ok(out)
    }

    pub fn max_results(&mut self, n: Option<i64>) {
        if let Some(n) = n {
            self.range("maxResults", n, MAX_RESULTS_MIN, MAX_RESULTS_MAX);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_field_and_limit() {
        let mut v = Validator::new();
        v.len(
            "repositoryName",
            &"a".repeat(206),
            REPOSITORY_NAME_MIN,
            REPOSITORY_NAME_MAX,
        );
        let e = v.finish().unwrap_err();
        assert_eq!(e.code, "InvalidParameterException");
        assert_eq!(
            e.message,
            "1 validation error detected: Value at 'repositoryName' failed to satisfy constraint: \
             Member must have length less than or equal to 205"
        );
        let mut v = Validator::new();
        v.required::<String>("repositoryName", &None);
        v.range("maxResults", 0, 1, 1000);
        let e = v.finish().unwrap_err();
        assert!(
            e.message
                .starts_with("2 validation errors detected: Value null at 'repositoryName'")
        );
        assert!(e.message.contains("Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"));
    }
}
