//! The client honours the AWS environment as the AWS CLI does: AWS_ENDPOINT_URL_ECR_PUBLIC (the
//! service-specific endpoint), AWS_REGION and credentials from the environment. It runs alone in a
//! child process (`support::alone`) because it sets process-wide environment variables.

use ecrp::aws::{self, Api, ClientOptions, collect_all};
use ecrp::emulator::{self, EmulatorOptions, Seed};

#[tokio::test(flavor = "multi_thread")]
async fn endpoint_region_and_credentials_come_from_the_environment() {
    if !crate::support::alone::alone(
        module_path!(),
        "endpoint_region_and_credentials_come_from_the_environment",
    ) {
        return;
    }
    let emu = emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        synthetic: vec![("envrepo".into(), 3)],
        ..Default::default()
    })
    .await
    .unwrap();
    // SAFETY: this process runs this test alone, so nothing reads the environment concurrently.
    unsafe {
        std::env::set_var("AWS_ENDPOINT_URL_ECR_PUBLIC", emu.url());
        std::env::set_var("AWS_REGION", "us-west-2");
        std::env::set_var("AWS_ACCESS_KEY_ID", "AKIDENVTEST000000000");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "env-test-secret");
        std::env::set_var("AWS_CONFIG_FILE", "/nonexistent/ecrp-env-config");
        std::env::set_var(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/ecrp-env-credentials",
        );
        std::env::remove_var("AWS_PROFILE");
        std::env::remove_var("AWS_ENDPOINT_URL");
    }
    let (client, info) = aws::connect(&ClientOptions::default()).await;
    assert_eq!(info.region, "us-west-2");
    assert_eq!(info.profile, "default");
    assert_eq!(
        info.endpoint.as_deref(),
        Some(emu.url().as_str()),
        "the header can show it"
    );
    let api = Api::new(client, true);
    let images = collect_all(api.images("envrepo", None)).await.unwrap();
    assert_eq!(
        images.len(),
        3,
        "the request reached the emulator named by the environment"
    );
    emu.shutdown().await;
}
