variable "subscription_id" {
  type = string
}

variable "name" {
  description = "Prefix of every resource name (as in the bootstrap stack)."
  type        = string
  default     = "rates"
}

variable "environment" {
  description = "dev or prod: the resource group is NAME-aca-ENVIRONMENT."
  type        = string
}

variable "unique_suffix" {
  description = "Makes globally unique names (registry, Key Vault, database server): a few lower-case letters or digits."
  type        = string
}

variable "address_space" {
  type    = string
  default = "10.40.0.0/16"
}

variable "image" {
  description = "Image of the first revision only (default REGISTRY/rates:initial): CI owns it afterwards (`az containerapp update --image`), Terraform ignores it."
  type        = string
  default     = null
}

variable "credentials_source" {
  description = "entra_token (passwordless, password authentication off) or key_vault (a password in Key Vault; turns password authentication on)."
  type        = string
  default     = "entra_token"
  validation {
    condition     = contains(["entra_token", "key_vault"], var.credentials_source)
    error_message = "credentials_source must be entra_token or key_vault."
  }
}

variable "postgres_admin_password" {
  description = "key_vault mode only: the server's password administrator (TF_VAR_postgres_admin_password at apply; write-only, never stored)."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
  validation {
    condition     = var.credentials_source == "entra_token" || var.postgres_admin_password != null
    error_message = "key_vault mode needs postgres_admin_password."
  }
}

variable "cpu" {
  type    = number
  default = 0.25
}

variable "memory" {
  description = "Container memory: the limit from the README's sizing (512Mi covers 10M prices over a year)."
  type        = string
  default     = "0.5Gi"
}

variable "min_replicas" {
  type    = number
  default = 1
}

variable "max_replicas" {
  type    = number
  default = 3
}

variable "postgres" {
  description = "Server sizing and resilience."
  type = object({
    sku_name                     = string
    storage_mb                   = number
    backup_retention_days        = number
    geo_redundant_backup_enabled = bool
    high_availability            = bool
  })
}

variable "log_retention_days" {
  type    = number
  default = 30
}

variable "alert_email" {
  description = "Who gets the platform alerts (null: alerts fire without notifying anyone)."
  type        = string
  default     = null
}
