variable "subscription_id" {
  description = "Subscription that holds the state and the application resource groups."
  type        = string
}

variable "location" {
  description = "Azure region."
  type        = string
  default     = "westeurope"
}

variable "name" {
  description = "Prefix of every resource name."
  type        = string
  default     = "rates"
}

variable "state_storage_account_name" {
  description = "Globally unique, 3-24 lower-case letters and digits."
  type        = string
}

variable "environments" {
  description = "One resource group per stack and environment is created for the deploy identity to manage."
  type        = set(string)
  default     = ["dev", "prod"]
}

variable "github_repository" {
  description = "owner/name of the GitHub repository whose workflows deploy (OIDC subjects)."
  type        = string
}

variable "azure_devops" {
  description = "Azure Pipelines service connection with workload identity federation (null: none). The issuer and subject are shown on the service connection's page."
  type = object({
    issuer  = string # https://vstoken.dev.azure.com/<organization id>
    subject = string # sc://<organization>/<project>/<service connection name>
  })
  default = null
}
