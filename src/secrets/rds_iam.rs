//! Passwordless on AWS: an RDS IAM auth token is the password. It is a
//! SigV4-presigned `connect` request for `rds-db`, valid 15 minutes, made
//! locally from the SDK's credentials (no call to AWS). The signing is the
//! SDK's own `aws-sigv4`, as `aws-sdk-rds`'s token generator does it; we use
//! the signer directly rather than compile the whole RDS client for it.

use std::time::{Duration, SystemTime};

use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::{
    http_request::{self, SignableBody, SignableRequest, SignatureLocation, SigningSettings},
    sign::v4,
};
use aws_smithy_runtime_api::client::identity::Identity;
use chrono::{DateTime, Utc};
use secrecy::SecretString;

use super::{CredentialError, Credentials, aws};
use crate::config::Settings;

const NAME: &str = "rds iam";
/// RDS accepts tokens for at most 15 minutes.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

pub struct RdsIamSource {
    config: aws_types::SdkConfig,
    host: String,
    port: u16,
    username: String,
}

impl RdsIamSource {
    pub async fn new(settings: &Settings) -> Result<Self, CredentialError> {
        let db = &settings.db;
        let options = db
            .connect_options()
            .map_err(|e| CredentialError::new(NAME, e))?;
        let username = options.get_username().to_owned();
        if username.is_empty() {
            return Err(CredentialError::new(NAME, "set the database user (PGUSER)"));
        }
        let region = settings.rds_iam.region.as_deref();
        Ok(Self {
            config: aws::sdk_config(region, None).await,
            host: options.get_host().to_owned(),
            port: options.get_port(),
            username,
        })
    }

    pub async fn fetch(&self) -> Result<Credentials, CredentialError> {
        let provider = self
            .config
            .credentials_provider()
            .ok_or_else(|| CredentialError::new(NAME, "no AWS credentials are configured"))?;
        let credentials = provider
            .provide_credentials()
            .await
            .map_err(|e| CredentialError::new(NAME, e))?;
        let region = self
            .config
            .region()
            .map(|r| r.as_ref().to_owned())
            .ok_or_else(|| CredentialError::new(NAME, "no AWS region is configured"))?;
        let now = SystemTime::now();
        let token = auth_token(
            &credentials.into(),
            &region,
            &self.host,
            self.port,
            &self.username,
            now,
        )?;
        Ok(Credentials {
            password: Some(token),
            expires_at: Some(DateTime::<Utc>::from(now + TOKEN_LIFETIME)),
            ..Default::default()
        })
    }
}

/// `host:port/?Action=connect&DBUser=user&X-Amz-...`: the presigned URL
/// without its scheme.
pub fn auth_token(
    identity: &Identity,
    region: &str,
    host: &str,
    port: u16,
    username: &str,
    now: SystemTime,
) -> Result<SecretString, CredentialError> {
    let fail = |e: &dyn std::fmt::Display| CredentialError::new(NAME, e);
    let mut settings = SigningSettings::default();
    settings.expires_in = Some(TOKEN_LIFETIME);
    settings.signature_location = SignatureLocation::QueryParams;
    let params = v4::SigningParams::builder()
        .identity(identity)
        .region(region)
        .name("rds-db")
        .time(now)
        .settings(settings)
        .build()
        .map_err(|e| fail(&e))?;
    let mut url = url::Url::parse(&format!("https://{host}:{port}/")).map_err(|e| fail(&e))?;
    url.query_pairs_mut()
        .append_pair("Action", "connect")
        .append_pair("DBUser", username);
    let request = SignableRequest::new(
        "GET",
        url.as_str(),
        std::iter::empty(),
        SignableBody::Bytes(&[]),
    )
    .map_err(|e| fail(&e))?;
    let (instructions, _) = http_request::sign(request, &params.into())
        .map_err(|e| fail(&e))?
        .into_parts();
    for (name, value) in instructions.params() {
        url.query_pairs_mut().append_pair(name, value);
    }
    let token = url.as_str().trim_start_matches("https://").to_owned();
    Ok(SecretString::from(token))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::Credentials as AwsCredentials;
    use secrecy::ExposeSecret;

    /// The published test vector of the SDKs' RDS token generators.
    #[test]
    fn matches_the_sdk_test_vector() {
        let identity: Identity = AwsCredentials::new("akid", "secret", None, None, "test").into();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_724_709_600);
        let token = auth_token(
            &identity,
            "us-east-1",
            "prod-instance.us-east-1.rds.amazonaws.com",
            3306,
            "peccy",
            now,
        )
        .unwrap();
        assert_eq!(
            token.expose_secret(),
            "prod-instance.us-east-1.rds.amazonaws.com:3306/?Action=connect&DBUser=peccy\
             &X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=akid%2F20240826%2Fus-east-1%2Frds-db%2Faws4_request\
             &X-Amz-Date=20240826T220000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host\
             &X-Amz-Signature=dd0cba843009474347af724090233265628ace491ea17ce3eb3da098b983ad89"
        );
    }
}
