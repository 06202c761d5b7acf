//! The operation table: name -> handler, and which operations mutate state (those are persisted).

use serde_json::Value;

use super::ctx::Ctx;
use super::error::ApiResult;
use super::input::Input;
use super::state::State;
use super::{catalog, delete, describe, image, layer, policy, registry, repository, tags};

pub type Handler = fn(&mut State, &Input, &Ctx) -> ApiResult<Value>;

pub struct Op {
    pub name: &'static str,
    pub handler: Handler,
    pub mutates: bool,
}

macro_rules! op {
    ($name:literal, $handler:path, $mutates:literal) => {
        Op {
            name: $name,
            handler: $handler,
            mutates: $mutates,
        }
    };
}

pub const OPERATIONS: &[Op] = &[
    op!(
        "BatchCheckLayerAvailability",
        layer::batch_check_layer_availability,
        false
    ),
    op!("BatchDeleteImage", delete::batch_delete_image, true),
    op!("CompleteLayerUpload", layer::complete_layer_upload, true),
    op!("CreateRepository", repository::create_repository, true),
    op!("DeleteRepository", repository::delete_repository, true),
    op!(
        "DeleteRepositoryPolicy",
        policy::delete_repository_policy,
        true
    ),
    op!("DescribeImageTags", describe::describe_image_tags, false),
    op!("DescribeImages", describe::describe_images, false),
    op!("DescribeRegistries", registry::describe_registries, false),
    op!(
        "DescribeRepositories",
        repository::describe_repositories,
        false
    ),
    op!(
        "GetAuthorizationToken",
        registry::get_authorization_token,
        false
    ),
    op!(
        "GetRegistryCatalogData",
        registry::get_registry_catalog_data,
        false
    ),
    op!(
        "GetRepositoryCatalogData",
        catalog::get_repository_catalog_data,
        false
    ),
    op!("GetRepositoryPolicy", policy::get_repository_policy, false),
    // Upload progress is in memory only, so these two change nothing that is persisted.
    op!("InitiateLayerUpload", layer::initiate_layer_upload, false),
    op!("ListTagsForResource", tags::list_tags_for_resource, false),
    op!("PutImage", image::put_image_op, true),
    op!(
        "PutRegistryCatalogData",
        registry::put_registry_catalog_data,
        true
    ),
    op!(
        "PutRepositoryCatalogData",
        catalog::put_repository_catalog_data,
        true
    ),
    op!("SetRepositoryPolicy", policy::set_repository_policy, true),
    op!("TagResource", tags::tag_resource, true),
    op!("UntagResource", tags::untag_resource, true),
    op!("UploadLayerPart", layer::upload_layer_part, false),
];

pub fn find(name: &str) -> Option<&'static Op> {
    OPERATIONS.iter().find(|op| op.name == name)
}

/// Operations that change the registry (what read-only clients must never send).
pub fn is_mutation(name: &str) -> bool {
    find(name)
        .is_some_and(|op| op.mutates || matches!(name, "InitiateLayerUpload" | "UploadLayerPart"))
}
