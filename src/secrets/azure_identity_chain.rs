//! Our stand-in for `DefaultAzureCredential`, which the Rust SDK does not
//! have: one credential chosen by `azure.credential`, or with
//! `auto` the first configured of, in order,
//!
//! 1. workload identity (AKS: `AZURE_FEDERATED_TOKEN_FILE`, `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`),
//! 2. managed identity (App Service, Container Apps: `IDENTITY_ENDPOINT`; VMs: IMDS),
//! 3. a client secret (`AZURE_CLIENT_SECRET`, `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`),
//! 4. the Azure CLI (`az login`, for developers).
//!
//! "Configured" is decided from the environment once, at start-up, so a
//! production replica never silently falls back to a developer login.

use std::sync::Arc;

use azure_core::credentials::{Secret, TokenCredential};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, ClientAssertionCredentialOptions,
    ClientSecretCredential, ClientSecretCredentialOptions, ManagedIdentityCredential,
    ManagedIdentityCredentialOptions, UserAssignedId, WorkloadIdentityCredential,
    WorkloadIdentityCredentialOptions,
};

use super::{CredentialError, transport::Transport};
use crate::config::{AzureCredentialKind, Settings};

const NAME: &str = "azure identity";

/// The credential `settings` select, using `transport` for its requests.
pub fn credential(
    settings: &Settings,
) -> Result<(AzureCredentialKind, Arc<dyn TokenCredential>), CredentialError> {
    let platform = &settings.platform;
    let env = |name: &str| platform.get(name).map(str::to_owned);
    let azure = &settings.azure;
    let kind = match azure.credential {
        AzureCredentialKind::Auto => choose(&env),
        kind => kind,
    };
    // `azure.client_id` and `azure.tenant_id` also read AZURE_CLIENT_ID and
    // AZURE_TENANT_ID (see the settings registry).
    let client_id = azure.client_id.clone();
    let tenant_id = azure.tenant_id.clone();
    let options = || Transport::client_options(Transport::direct());
    let fail = |e: azure_core::Error| CredentialError::new(NAME, format!("{kind:?}: {e}"));
    let credential: Arc<dyn TokenCredential> = match kind {
        AzureCredentialKind::WorkloadIdentity => {
            WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
                credential_options: ClientAssertionCredentialOptions {
                    client_options: options(),
                },
                client_id,
                tenant_id,
                ..Default::default()
            }))
            .map_err(fail)?
        }
        AzureCredentialKind::ManagedIdentity | AzureCredentialKind::Auto => {
            ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                user_assigned_id: client_id.map(UserAssignedId::ClientId),
                client_options: options(),
            }))
            .map_err(fail)?
        }
        AzureCredentialKind::ClientSecret => {
            let secret = env("AZURE_CLIENT_SECRET")
                .ok_or_else(|| CredentialError::new(NAME, "AZURE_CLIENT_SECRET is not set"))?;
            let (Some(tenant_id), Some(client_id)) = (tenant_id, client_id) else {
                return Err(CredentialError::new(
                    NAME,
                    "a client secret needs AZURE_TENANT_ID and AZURE_CLIENT_ID",
                ));
            };
            ClientSecretCredential::new(
                &tenant_id,
                client_id,
                Secret::new(secret),
                Some(ClientSecretCredentialOptions {
                    client_options: options(),
                }),
            )
            .map_err(fail)?
        }
        AzureCredentialKind::AzureCli => AzureCliCredential::new(Some(AzureCliCredentialOptions {
            tenant_id,
            ..Default::default()
        }))
        .map_err(fail)?,
    };
    tracing::info!(credential = ?kind, "Azure credential selected");
    Ok((kind, credential))
}

/// The `auto` order, decided from which variables are set.
fn choose(env: &dyn Fn(&str) -> Option<String>) -> AzureCredentialKind {
    if env("AZURE_FEDERATED_TOKEN_FILE").is_some() {
        AzureCredentialKind::WorkloadIdentity
    } else if env("IDENTITY_ENDPOINT").is_some() || env("MSI_ENDPOINT").is_some() {
        AzureCredentialKind::ManagedIdentity
    } else if env("AZURE_CLIENT_SECRET").is_some() {
        AzureCredentialKind::ClientSecret
    } else if on_azure_vm() {
        // IMDS answers on Azure VMs without any variable.
        AzureCredentialKind::ManagedIdentity
    } else {
        AzureCredentialKind::AzureCli
    }
}

/// Azure VMs say so in their DMI data; no network probe needed.
fn on_azure_vm() -> bool {
    std::fs::read_to_string("/sys/class/dmi/id/sys_vendor")
        .is_ok_and(|v| v.trim() == "Microsoft Corporation")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &'static [&'static str]) -> impl Fn(&str) -> Option<String> {
        move |name| vars.contains(&name).then(|| "x".to_owned())
    }

    #[test]
    fn auto_prefers_workload_then_managed_then_secret() {
        use AzureCredentialKind::*;
        let all = &[
            "AZURE_FEDERATED_TOKEN_FILE",
            "IDENTITY_ENDPOINT",
            "AZURE_CLIENT_SECRET",
        ];
        assert_eq!(choose(&with(all)), WorkloadIdentity);
        assert_eq!(
            choose(&with(&["IDENTITY_ENDPOINT", "AZURE_CLIENT_SECRET"])),
            ManagedIdentity
        );
        assert_eq!(choose(&with(&["AZURE_CLIENT_SECRET"])), ClientSecret);
    }
}
