//! Every constraint constant in `ecrp::model::limits` agrees with the ECR Public service model
//! (botocore's service-2.json in ../shared).

use std::path::PathBuf;

use ecrp::model::limits::*;
use serde_json::Value;

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
