//! The service's limits (shared with the client, in `crate::model`) and the emulator's own caps.

pub use crate::model::limits::*;

/// Largest request body accepted: a 20 MiB part is ~27 MiB in base64, plus the JSON around it.
pub const MAX_REQUEST_BYTES: usize = 32 * 1024 * 1024;

/// Lifetime of a GetAuthorizationToken token, in seconds (12 hours).
pub const AUTH_TOKEN_TTL_SECS: i64 = 12 * 3600;

/// Regions that serve the ECR Public API (the endpoints table of "Amazon ECR Public endpoints and
/// quotas": api.ecr-public.us-east-1 and api.ecr-public.us-west-2). A request signed for any other
/// region is answered UnsupportedCommandException, whatever the operation: the reference lists that
/// error on only seven operations, but a region without the service has none of them.
pub const SERVED_REGIONS: &[&str] = &["us-east-1", "us-west-2"];

/// Service quotas the emulator enforces by default (`--quota` overrides them). "Images per
/// repository" (100,000) is the documented ECR Public default. ECR Public's quota page lists no
/// repository count, so the emulator uses private ECR's "Repositories per Region" (100,000) rather
/// than leaving it unbounded. Reaching either answers LimitExceededException (400), as the
/// reference lists it for CreateRepository and PutImage.
pub const QUOTA_REPOSITORIES: usize = 100_000;
pub const QUOTA_IMAGES_PER_REPOSITORY: usize = 100_000;

// Where the API reference and the service model disagree, the emulator follows the model and what
// real clients send, for these reasons (do not "fix" them back to the reference's text):
// - registryId: the model gives RegistryId the pattern [0-9]{12} without lengths and
//   RegistryIdOrAlias 2-50 characters without a pattern; the reference's prose differs in places.
//   Validation uses the model's shape of each operation's member, because the SDKs and the AWS CLI
//   are generated from it.
// - Repository ARNs use the `arn:aws:ecr-public::ACCOUNT:repository/NAME` form (no region) that
//   the real service returns and the SDK examples show; the reference's resourceArn text
//   describes private ECR's `arn:aws:ecr:region:...` namespace, which this service never issues.
// - Tag members are `Key` and `Value` (capitalised) as in the model's Tag shape; one request
//   example in the reference spells them in lower case, which the SDKs would never send.
// - A tag's Value is optional (model and reference agree). Its Key is optional in the model too,
//   but a tag without a key is refused (InvalidTagParameterException), as the tag errors of the
//   reference describe; tag key and value lengths are InvalidTagParameterException, the error the
//   reference documents for them, rather than the generic InvalidParameterException.
// - Unknown operations answer UnknownOperationException (what awsJson services and the SDKs
//   recognise) rather than the reference's common-error name InvalidAction, which belongs to the
//   query protocol.
// - Nested members inside lists are checked with the model's constraints and named as AWS names
//   them (`imageIds.1.member.imageTag`), in one InvalidParameterException with the other
//   violations of the request.
// - The quota page's 10 MiB "maximum layer part size" is not enforced: the model's LayerPartBlob
//   allows 20 MiB and the SDKs validate nothing, so the model's bound is the one a client meets.
