//! Typed access to a request's JSON members. A member of the wrong JSON type is a
//! SerializationException (as AWS's deserializer reports it); unknown members are ignored.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

use super::error::{ApiError, ApiResult};

pub struct Input {
    map: Map<String, Value>,
    /// Dotted path of this object inside the request, for messages.
    path: String,
}

fn type_error(path: &str, want: &str, got: &Value) -> ApiError {
    let got = match got {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    ApiError::serialization(format!("Expected {want} for '{path}' but found {got}"))
}

impl Input {
    /// Parses a request body: it must be one JSON object (an empty body counts as `{}`).
    pub fn parse(body: &[u8]) -> ApiResult<Input> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Input {
                map: Map::new(),
                path: String::new(),
            });
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => Ok(Input {
                map,
                path: String::new(),
            }),
            Ok(other) => Err(type_error("request body", "an object", &other)),
            Err(e) => Err(ApiError::serialization(format!(
                "Malformed JSON request body: {e}"
            ))),
        }
    }

    pub fn from_map(map: Map<String, Value>, path: String) -> Input {
        Input { map, path }
    }

    fn field_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// A member's value, treating JSON null as absent (as AWS deserializers do).
    fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub fn str(&self, key: &str) -> ApiResult<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(type_error(&self.field_path(key), "a string", other)),
        }
    }

    pub fn bool(&self, key: &str) -> ApiResult<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(type_error(&self.field_path(key), "a boolean", other)),
        }
    }

    pub fn int(&self, key: &str) -> ApiResult<Option<i64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| {
                ApiError::serialization(format!(
                    "Expected an integer for '{}'",
                    self.field_path(key)
                ))
            }),
            Some(other) => Err(type_error(&self.field_path(key), "an integer", other)),
        }
    }

    /// A base64 blob, decoded.
    pub fn blob(&self, key: &str) -> ApiResult<Option<Vec<u8>>> {
        match self.str(key)? {
            None => Ok(None),
            Some(s) => STANDARD.decode(s.as_bytes()).map(Some).map_err(|_| {
                ApiError::serialization(format!("Invalid base64 in '{}'", self.field_path(key)))
            }),
        }
    }

    pub fn str_list(&self, key: &str) -> ApiResult<Option<Vec<String>>> {
        let Some(items) = self.list(key)? else {
            return Ok(None);
        };
        items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(type_error(
                    &format!("{}.{}", self.field_path(key), i + 1),
                    "a string",
                    other,
                )),
            })
            .collect::<ApiResult<Vec<_>>>()
            .map(Some)
    }

    pub fn obj(&self, key: &str) -> ApiResult<Option<Input>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(Input::from_map(m.clone(), self.field_path(key)))),
            Some(other) => Err(type_error(&self.field_path(key), "an object", other)),
        }
    }

    pub fn obj_list(&self, key: &str) -> ApiResult<Option<Vec<Input>>> {
        let Some(items) = self.list(key)? else {
            return Ok(None);
        };
        let base = self.field_path(key);
        items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::Object(m) => Ok(Input::from_map(
                    m.clone(),
                    format!("{base}.{}.member", i + 1),
                )),
                other => Err(type_error(&format!("{base}.{}", i + 1), "an object", other)),
            })
            .collect::<ApiResult<Vec<_>>>()
            .map(Some)
    }

    fn list(&self, key: &str) -> ApiResult<Option<&Vec<Value>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(other) => Err(type_error(&self.field_path(key), "a list", other)),
        }
    }

    /// The dotted name of a member, as validation messages name it.
    pub fn name(&self, key: &str) -> String {
        self.field_path(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_are_serialization_errors() {
        let input =
            Input::parse(br#"{"repositoryName": 5, "force": "yes", "maxResults": 1.5}"#).unwrap();
        assert_eq!(
            input.str("repositoryName").unwrap_err().code,
            "SerializationException"
        );
        assert_eq!(
            input.bool("force").unwrap_err().code,
            "SerializationException"
        );
        assert_eq!(
            input.int("maxResults").unwrap_err().code,
            "SerializationException"
        );
        assert_eq!(input.str("absent").unwrap(), None);
    }

    #[test]
    fn malformed_and_non_object_bodies_are_refused() {
        assert_eq!(
            Input::parse(b"{nope").err().unwrap().code,
            "SerializationException"
        );
        assert_eq!(
            Input::parse(b"[1]").err().unwrap().code,
            "SerializationException"
        );
        assert!(Input::parse(b"").is_ok());
    }

    #[test]
    fn nested_paths_name_list_members() {
        let input = Input::parse(br#"{"tags": [{"Key": "a"}, {"Key": 3}]}"#).unwrap();
        let tags = input.obj_list("tags").unwrap().unwrap();
        assert_eq!(tags[1].name("Key"), "tags.2.member.Key");
        assert!(
            tags[1]
                .str("Key")
                .unwrap_err()
                .message
                .contains("tags.2.member.Key")
        );
    }
}
