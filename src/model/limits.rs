//! The ECR Public service's constraints as named constants, from its service model (checked by
//! tests/emulator/emulator_model.rs) and API reference. The emulator enforces them; the client checks input
//! against them before sending it, so a bad value is named with its limit before any request.

/// RepositoryName length bounds.
pub const REPOSITORY_NAME_MIN: usize = 2;
pub const REPOSITORY_NAME_MAX: usize = 205;
/// RepositoryName pattern (as the model and AWS error messages spell it).
pub const REPOSITORY_NAME_PATTERN: &str =
    "(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*";
/// RepositoryNameList bounds (DescribeRepositories.repositoryNames).
pub const REPOSITORY_NAMES_MIN: usize = 1;
pub const REPOSITORY_NAMES_MAX: usize = 100;

/// RegistryId: twelve digits.
pub const REGISTRY_ID_PATTERN: &str = "[0-9]{12}";
/// RegistryIdOrAlias length bounds.
pub const REGISTRY_ID_OR_ALIAS_MIN: usize = 2;
pub const REGISTRY_ID_OR_ALIAS_MAX: usize = 50;
/// RegistryAliasName bounds and pattern.
pub const REGISTRY_ALIAS_MIN: usize = 2;
pub const REGISTRY_ALIAS_MAX: usize = 50;
pub const REGISTRY_ALIAS_PATTERN: &str = "[a-z][a-z0-9]+(?:[._-][a-z0-9]+)*";
/// RegistryDisplayName length bounds.
pub const DISPLAY_NAME_MIN: usize = 0;
pub const DISPLAY_NAME_MAX: usize = 100;

/// RepositoryDescription, AboutText, UsageText maximum lengths.
pub const DESCRIPTION_MAX: usize = 1024;
pub const ABOUT_TEXT_MAX: usize = 25_600;
pub const USAGE_TEXT_MAX: usize = 25_600;
/// Architecture / OperatingSystem entry lengths and list sizes.
pub const ARCHITECTURE_MIN: usize = 1;
pub const ARCHITECTURE_MAX: usize = 50;
pub const ARCHITECTURES_MAX: usize = 50;
pub const OPERATING_SYSTEM_MIN: usize = 1;
pub const OPERATING_SYSTEM_MAX: usize = 50;
pub const OPERATING_SYSTEMS_MAX: usize = 50;
/// LogoImageBlob maximum size in bytes (decoded).
pub const LOGO_MAX_BYTES: usize = 512_000;
/// ResourceUrl (logoUrl) maximum length.
pub const RESOURCE_URL_MAX: usize = 2048;

/// RepositoryPolicyText length bounds.
pub const POLICY_MIN: usize = 0;
pub const POLICY_MAX: usize = 10_240;

/// Tag key and value lengths, and the list sizes of one request.
pub const TAG_KEY_MIN: usize = 1;
pub const TAG_KEY_MAX: usize = 128;
pub const TAG_VALUE_MIN: usize = 0;
pub const TAG_VALUE_MAX: usize = 256;
pub const TAG_LIST_MAX: usize = 200;
pub const TAG_KEY_LIST_MAX: usize = 200;
/// Tags a repository may carry (from the API reference, not in the model).
pub const TAGS_PER_REPOSITORY_MAX: usize = 50;
/// Prefix reserved for AWS-owned tag keys.
pub const RESERVED_TAG_PREFIX: &str = "aws:";
/// Arn length bounds (resourceArn).
pub const ARN_MIN: usize = 1;
pub const ARN_MAX: usize = 2048;

/// ImageTag length bounds.
pub const IMAGE_TAG_MIN: usize = 1;
pub const IMAGE_TAG_MAX: usize = 300;
/// ImageIdentifierList bounds (BatchDeleteImage, DescribeImages).
pub const IMAGE_IDS_MIN: usize = 1;
pub const IMAGE_IDS_MAX: usize = 100;
/// ImageManifest length bounds.
pub const IMAGE_MANIFEST_MIN: usize = 1;
pub const IMAGE_MANIFEST_MAX: usize = 4_194_304;

/// LayerDigestList / BatchedOperationLayerDigestList bounds.
pub const LAYER_DIGESTS_MIN: usize = 1;
pub const LAYER_DIGESTS_MAX: usize = 100;
/// BatchedOperationLayerDigest length bounds.
pub const BATCHED_LAYER_DIGEST_MIN: usize = 0;
pub const BATCHED_LAYER_DIGEST_MAX: usize = 1000;
/// LayerDigest pattern.
pub const LAYER_DIGEST_PATTERN: &str = "[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+";
/// UploadId pattern (a UUID).
pub const UPLOAD_ID_PATTERN: &str =
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
/// LayerPartBlob maximum size in bytes (decoded).
pub const LAYER_PART_MAX_BYTES: usize = 20_971_520;
/// Smallest part allowed except the last (from the API reference's LayerPartTooSmallException).
pub const LAYER_PART_MIN_BYTES: u64 = 5 * 1024 * 1024;
/// Part size InitiateLayerUpload advises (ECR's 10 MiB).
pub const LAYER_PART_SIZE: u64 = 10_485_760;

/// MaxResults bounds, and the page size when maxResults is absent (from the API reference).
pub const MAX_RESULTS_MIN: i64 = 1;
pub const MAX_RESULTS_MAX: i64 = 1000;
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// Lifetime of a GetAuthorizationToken token, in seconds (12 hours).
pub const AUTH_TOKEN_TTL_SECS: i64 = 12 * 3600;
