//! The AWS SDK configuration both AWS sources share: the SDK's usual chains
//! for region and credentials (environment, profile, web identity, ECS, IMDS),
//! over rustls with the `ring` provider sqlx already uses.

use aws_config::{BehaviorVersion, Region};
use aws_smithy_http_client::tls;

pub async fn sdk_config(region: Option<&str>, endpoint_url: Option<&str>) -> aws_types::SdkConfig {
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http_client);
    if let Some(region) = region {
        loader = loader.region(Region::new(region.to_owned()));
    }
    if let Some(url) = endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}
