# Copy to bootstrap.tfvars (not committed: it names your subscription) and edit.
subscription_id            = "00000000-0000-0000-0000-000000000000"
location                   = "westeurope"
state_storage_account_name = "ratestfstate12345"
github_repository          = "example-org/rates"
# azure_devops = {
#   issuer  = "https://vstoken.dev.azure.com/00000000-0000-0000-0000-000000000000"
#   subject = "sc://example-org/rates/rates-azure"
# }
