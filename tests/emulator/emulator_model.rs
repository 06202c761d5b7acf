//! Every constraint constant in `ecrp::model::limits` agrees with the ECR Public service model
//! (botocore's service-2.json in ../shared).

use std::path::PathBuf;

use ecrp::model::limits::*;
use serde_json::{Value, json};

fn model() -> Value {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        manifest.join("../shared/ecr-public-model/service-2.json"),
        PathBuf::from("/work/shared/ecr-public-model/service-2.json"),
    ];
    let path = candidates
        .iter()
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("service model not found; looked in {candidates:?}"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn shape<'a>(m: &'a Value, name: &str) -> &'a Value {
    m["shapes"]
        .get(name)
        .unwrap_or_else(|| panic!("shape {name} missing from the model"))
}

fn num(m: &Value, name: &str, key: &str) -> i64 {
    shape(m, name)[key]
        .as_i64()
        .unwrap_or_else(|| panic!("{name}.{key} missing"))
}

fn pattern<'a>(m: &'a Value, name: &str) -> &'a str {
    shape(m, name)["pattern"]
        .as_str()
        .unwrap_or_else(|| panic!("{name}.pattern missing"))
}

#[test]
fn lengths_and_counts_match_the_model() {
    let m = model();
    let checks: &[(&str, &str, i64)] = &[
        ("RepositoryName", "min", REPOSITORY_NAME_MIN as i64),
        ("RepositoryName", "max", REPOSITORY_NAME_MAX as i64),
        ("RepositoryNameList", "min", REPOSITORY_NAMES_MIN as i64),
        ("RepositoryNameList", "max", REPOSITORY_NAMES_MAX as i64),
        ("RegistryIdOrAlias", "min", REGISTRY_ID_OR_ALIAS_MIN as i64),
        ("RegistryIdOrAlias", "max", REGISTRY_ID_OR_ALIAS_MAX as i64),
        ("RegistryAliasName", "min", REGISTRY_ALIAS_MIN as i64),
        ("RegistryAliasName", "max", REGISTRY_ALIAS_MAX as i64),
        ("RegistryDisplayName", "min", DISPLAY_NAME_MIN as i64),
        ("RegistryDisplayName", "max", DISPLAY_NAME_MAX as i64),
        ("RepositoryDescription", "max", DESCRIPTION_MAX as i64),
        ("AboutText", "max", ABOUT_TEXT_MAX as i64),
        ("UsageText", "max", USAGE_TEXT_MAX as i64),
        ("Architecture", "min", ARCHITECTURE_MIN as i64),
        ("Architecture", "max", ARCHITECTURE_MAX as i64),
        ("ArchitectureList", "max", ARCHITECTURES_MAX as i64),
        ("OperatingSystem", "min", OPERATING_SYSTEM_MIN as i64),
        ("OperatingSystem", "max", OPERATING_SYSTEM_MAX as i64),
        ("OperatingSystemList", "max", OPERATING_SYSTEMS_MAX as i64),
        ("LogoImageBlob", "max", LOGO_MAX_BYTES as i64),
        ("ResourceUrl", "max", RESOURCE_URL_MAX as i64),
        ("RepositoryPolicyText", "min", POLICY_MIN as i64),
        ("RepositoryPolicyText", "max", POLICY_MAX as i64),
        ("TagKey", "min", TAG_KEY_MIN as i64),
        ("TagKey", "max", TAG_KEY_MAX as i64),
        ("TagValue", "min", TAG_VALUE_MIN as i64),
        ("TagValue", "max", TAG_VALUE_MAX as i64),
        ("TagList", "max", TAG_LIST_MAX as i64),
        ("TagKeyList", "max", TAG_KEY_LIST_MAX as i64),
        ("Arn", "min", ARN_MIN as i64),
        ("Arn", "max", ARN_MAX as i64),
        ("ImageTag", "min", IMAGE_TAG_MIN as i64),
        ("ImageTag", "max", IMAGE_TAG_MAX as i64),
        ("ImageIdentifierList", "min", IMAGE_IDS_MIN as i64),
        ("ImageIdentifierList", "max", IMAGE_IDS_MAX as i64),
        ("ImageManifest", "min", IMAGE_MANIFEST_MIN as i64),
        ("ImageManifest", "max", IMAGE_MANIFEST_MAX as i64),
        ("LayerDigestList", "min", LAYER_DIGESTS_MIN as i64),
        ("LayerDigestList", "max", LAYER_DIGESTS_MAX as i64),
        (
            "BatchedOperationLayerDigestList",
            "min",
            LAYER_DIGESTS_MIN as i64,
        ),
        (
            "BatchedOperationLayerDigestList",
            "max",
            LAYER_DIGESTS_MAX as i64,
        ),
        (
            "BatchedOperationLayerDigest",
            "min",
            BATCHED_LAYER_DIGEST_MIN as i64,
        ),
        (
            "BatchedOperationLayerDigest",
            "max",
            BATCHED_LAYER_DIGEST_MAX as i64,
        ),
        ("LayerPartBlob", "max", LAYER_PART_MAX_BYTES as i64),
        ("MaxResults", "min", MAX_RESULTS_MIN),
        ("MaxResults", "max", MAX_RESULTS_MAX),
    ];
    let wrong: Vec<String> = checks
        .iter()
        .filter(|(s, k, ours)| num(&m, s, k) != *ours)
        .map(|(s, k, ours)| format!("{s}.{k}: model {} but model::limits {ours}", num(&m, s, k)))
        .collect();
    assert!(
        wrong.is_empty(),
        "constants disagree with the model:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn patterns_match_the_model() {
    let m = model();
    assert_eq!(pattern(&m, "RepositoryName"), REPOSITORY_NAME_PATTERN);
    assert_eq!(pattern(&m, "RegistryId"), REGISTRY_ID_PATTERN);
    assert_eq!(pattern(&m, "RegistryAliasName"), REGISTRY_ALIAS_PATTERN);
    assert_eq!(pattern(&m, "LayerDigest"), LAYER_DIGEST_PATTERN);
    assert_eq!(pattern(&m, "UploadId"), UPLOAD_ID_PATTERN);
}

#[test]
fn every_modelled_operation_is_served() {
    let m = model();
    let ops: Vec<&str> = m["operations"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(ops.len(), 23);
    for op in &ops {
        assert!(
            ecrp::emulator::ops::find(op).is_some(),
            "operation {op} is not implemented"
        );
    }
    assert_eq!(ecrp::emulator::ops::OPERATIONS.len(), ops.len());
    assert_eq!(m["metadata"]["targetPrefix"], "SpencerFrontendService");
}

#[test]
fn hand_written_matchers_agree_with_model_patterns_on_samples() {
    use ecrp::model::names::{is_registry_alias, is_repository_name};
    // The samples exercise each part of the patterns that model::limits spells out.
    for ok in ["ab", "a-b", "a.b_c", "x/y", "a1/b2/c3", "0a"] {
        assert!(is_repository_name(ok), "{ok}");
    }
    for bad in ["a/", "/a", "A", "a--", "a/-b", "a b"] {
        assert!(!is_repository_name(bad), "{bad}");
    }
    for ok in ["acme", "a1", "acme-labs", "ac.me"] {
        assert!(is_registry_alias(ok), "{ok}");
    }
    for bad in ["1a", "a", "acme-", "Acme"] {
        assert!(!is_registry_alias(bad), "{bad}");
    }
}

// --- Every bound of every member, nested ones included -------------------------------------------

/// One step of a member's path inside a request: a named member, or an element of a list (which
/// AWS names `N.member`).
#[derive(Clone)]
enum Step {
    Member(String),
    Item,
}

/// A constrained member of an operation's input: its path, its shape and the shape's definition.
struct Constrained {
    path: Vec<Step>,
    shape: String,
}

/// How AWS names a member in validation messages: `imageIds.1.member.imageTag`.
fn dotted(path: &[Step]) -> String {
    path.iter()
        .map(|s| match s {
            Step::Member(m) => m.clone(),
            Step::Item => "1.member".to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn collect(m: &Value, shape_name: &str, path: Vec<Step>, out: &mut Vec<Constrained>) {
    let s = shape(m, shape_name);
    let constrained = ["min", "max", "pattern"]
        .iter()
        .any(|k| s.get(*k).is_some());
    match s["type"].as_str().unwrap() {
        "structure" => {
            for (name, member) in s["members"].as_object().unwrap() {
                let mut p = path.clone();
                p.push(Step::Member(name.clone()));
                collect(m, member["shape"].as_str().unwrap(), p, out);
            }
        }
        "list" => {
            if constrained {
                out.push(Constrained {
                    path: path.clone(),
                    shape: shape_name.to_string(),
                });
            }
            let mut p = path;
            p.push(Step::Item);
            collect(m, s["member"]["shape"].as_str().unwrap(), p, out);
        }
        _ if constrained => out.push(Constrained {
            path,
            shape: shape_name.to_string(),
        }),
        _ => {}
    }
}

/// A string of `len` characters for this shape that satisfies its pattern where one exists (so a
/// length bound is tried alone).
fn string_of(shape_name: &str, len: usize) -> String {
    match shape_name {
        "LayerDigest" if len > 7 => format!("sha256:{}", "a".repeat(len - 7)),
        "RegistryId" => "1".repeat(len),
        _ => "a".repeat(len),
    }
}

/// A valid value of a shape: what every member not under test gets.
fn sample(m: &Value, shape_name: &str) -> Value {
    let s = shape(m, shape_name);
    match shape_name {
        "RegistryId" | "RegistryIdOrAlias" => return json!("123456789012"),
        "UploadId" => return json!("0f8fad5b-d9cb-469f-a165-70867728950e"),
        "LayerDigest" => return json!(format!("sha256:{}", "a".repeat(64))),
        "Arn" => return json!("arn:aws:ecr-public::123456789012:repository/ab"),
        "RepositoryName" => return json!("ab"),
        "ImageManifest" | "RepositoryPolicyText" => return json!("{}"),
        _ => {}
    }
    match s["type"].as_str().unwrap() {
        "structure" => {
            // Every member, so list elements are complete (a tag with its key).
            let mut obj = serde_json::Map::new();
            for (name, member) in s["members"].as_object().unwrap() {
                let ms = member["shape"].as_str().unwrap();
                if matches!(shape(m, ms)["type"].as_str(), Some("string")) {
                    obj.insert(name.clone(), sample(m, ms));
                }
            }
            Value::Object(obj)
        }
        "list" => json!([sample(m, s["member"]["shape"].as_str().unwrap())]),
        "string" => json!(string_of(
            shape_name,
            s["min"].as_u64().unwrap_or(1).max(1) as usize
        )),
        "integer" | "long" => json!(s["min"].as_i64().unwrap_or(1).max(1)),
        "boolean" => json!(false),
        "blob" => json!(""),
        other => panic!("no sample for {shape_name} ({other})"),
    }
}

/// The operation's required members with valid values.
fn baseline(m: &Value, input_shape: &str) -> Value {
    let s = shape(m, input_shape);
    let mut obj = serde_json::Map::new();
    for name in s["required"].as_array().into_iter().flatten() {
        let name = name.as_str().unwrap();
        let ms = s["members"][name]["shape"].as_str().unwrap();
        obj.insert(name.to_string(), sample(m, ms));
    }
    Value::Object(obj)
}

/// Sets the member at `path` to `value`, creating the objects and one-element lists on the way.
fn set(root: &mut Value, path: &[Step], value: Value) {
    match path.split_first() {
        None => *root = value,
        Some((Step::Member(name), rest)) => {
            if !root.is_object() {
                *root = json!({});
            }
            let slot = root
                .as_object_mut()
                .unwrap()
                .entry(name.clone())
                .or_insert(Value::Null);
            set(slot, rest, value);
        }
        Some((Step::Item, rest)) => {
            if !root.is_array() || root.as_array().unwrap().is_empty() {
                *root = json!([null]);
            }
            set(&mut root.as_array_mut().unwrap()[0], rest, value);
        }
    }
}

/// A value of `shape_name` of size `n` (characters, bytes, elements) or, for numbers, `n` itself.
fn sized(m: &Value, shape_name: &str, n: i64) -> Value {
    use base64::Engine;
    let s = shape(m, shape_name);
    match s["type"].as_str().unwrap() {
        "string" => json!(string_of(shape_name, n as usize)),
        "blob" => json!(base64::engine::general_purpose::STANDARD.encode(vec![0u8; n as usize])),
        "list" => {
            let item = sample(m, s["member"]["shape"].as_str().unwrap());
            Value::Array(vec![item; n as usize])
        }
        "integer" | "long" => json!(n),
        other => panic!("no sized value for {shape_name} ({other})"),
    }
}

const RAW_AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDMODELWALK0000000/20260101/us-east-1/ecr-public/aws4_request, \
                        SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00";

/// One awsJson1.1 request over a fresh connection: (status, JSON body).
async fn send(addr: std::net::SocketAddr, op: &str, body: &Value) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = serde_json::to_vec(body).unwrap();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\
         X-Amz-Target: SpencerFrontendService.{op}\r\nContent-Type: application/x-amz-json-1.1\r\n\
         Authorization: {RAW_AUTH}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body).await.unwrap();
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await.unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let status_line = String::from_utf8_lossy(&buf[..split]).into_owned();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let json = serde_json::from_slice(&buf[split + 4..]).unwrap_or(Value::Null);
    (status, json)
}

/// Every constrained member of every operation's input, nested ones inside lists and structures
/// included, is tried one past each bound (and against its pattern): the answer is a validation
/// error naming the member as AWS names it (`imageIds.1.member.imageTag`) and the bound. At each
/// bound itself, no validation error names it.
#[tokio::test(flavor = "multi_thread")]
async fn every_bound_of_every_nested_member_is_checked() {
    let m = model();
    let emu = ecrp::emulator::start(ecrp::emulator::EmulatorOptions {
        seed: ecrp::emulator::Seed::Empty,
        ..Default::default()
    })
    .await
    .unwrap();
    let addr = emu.addr();
    let mut problems = Vec::new();
    let mut tried = 0;
    let mut nested = 0;
    for (op, def) in m["operations"].as_object().unwrap() {
        let Some(input_shape) = def["input"]["shape"].as_str() else {
            continue;
        };
        let mut members = Vec::new();
        collect(&m, input_shape, Vec::new(), &mut members);
        for c in &members {
            let s = shape(&m, &c.shape);
            let name = dotted(&c.path);
            if c.path.len() > 1 {
                nested += 1;
            }
            // Tag keys and values answer InvalidTagParameterException, the error the reference
            // documents for them (see the comment block in limits.rs).
            let tag_member = name.starts_with("tags.") || name.starts_with("tagKeys.");
            let mut cases: Vec<(Value, Option<String>)> = Vec::new();
            let (min, max) = (s["min"].as_i64(), s["max"].as_i64());
            let numeric = matches!(s["type"].as_str(), Some("integer" | "long"));
            if let Some(min) = min {
                if min > 0 || numeric {
                    cases.push((sized(&m, &c.shape, min - 1), Some(min.to_string())));
                }
                cases.push((sized(&m, &c.shape, min), None));
            }
            if let Some(max) = max {
                cases.push((sized(&m, &c.shape, max + 1), Some(max.to_string())));
                cases.push((sized(&m, &c.shape, max), None));
            }
            if s.get("pattern").is_some() {
                cases.push((json!("--"), Some("regular expression pattern".into())));
            }
            for (value, violated) in cases {
                tried += 1;
                let mut body = baseline(&m, input_shape);
                set(&mut body, &c.path, value);
                let (status, reply) = send(addr, op, &body).await;
                let code = reply["__type"].as_str().unwrap_or("");
                let message = reply["message"].as_str().unwrap_or("");
                let names_it = message.contains(&format!(
                    "'{name}' failed to satisfy constraint: Member must"
                ));
                match violated {
                    Some(bound) => {
                        let code_ok = code == "InvalidParameterException"
                            || (tag_member && code == "InvalidTagParameterException");
                        if status != 400 || !code_ok || !names_it || !message.contains(&bound) {
                            problems.push(format!(
                                "{op} {name} past {bound}: {status} {code}: {message}"
                            ));
                        }
                    }
                    None if names_it => {
                        problems.push(format!("{op} {name} at its bound: {code}: {message}"))
                    }
                    None => {}
                }
            }
        }
    }
    emu.shutdown().await;
    assert!(
        tried > 150 && nested >= 12,
        "only {tried} cases ({nested} nested members)"
    );
    assert!(
        problems.is_empty(),
        "{} of {tried} cases disagree with the model:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
