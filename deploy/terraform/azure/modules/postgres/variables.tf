variable "name" {
  description = "Server name (globally unique: it becomes NAME.postgres.database.azure.com)."
  type        = string
}

variable "resource_group_name" {
  type = string
}

variable "location" {
  type = string
}

variable "virtual_network_id" {
  description = "VNet whose clients resolve the server through the private DNS zone."
  type        = string
}

variable "delegated_subnet_id" {
  description = "Subnet delegated to Microsoft.DBforPostgreSQL/flexibleServers."
  type        = string
}

variable "tenant_id" {
  type = string
}

variable "entra_admin" {
  description = "The server's Entra administrator: the identity that maps the application identities to database roles and runs `rates db bootstrap`."
  type = object({
    principal_name = string
    object_id      = string
    principal_type = string # ServicePrincipal (a managed identity), User or Group
  })
}

variable "password_auth_enabled" {
  description = "Off: only Entra ID tokens log in (passwordless). On only for the key_vault credentials mode."
  type        = bool
  default     = false
}

variable "administrator_password" {
  description = "Only with password authentication on: the password of the `rates_admin` login, write-only (never in the state)."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "administrator_password_version" {
  description = "Increase to send a changed administrator_password."
  type        = number
  default     = 1
}

variable "database_name" {
  type    = string
  default = "rates"
}

variable "postgres_version" {
  type    = string
  default = "16"
}

variable "sku_name" {
  description = "B_Standard_B1ms for dev; GP_Standard_D2ds_v5 or larger for production."
  type        = string
}

variable "storage_mb" {
  type    = number
  default = 32768
}

variable "backup_retention_days" {
  type    = number
  default = 7
}

variable "geo_redundant_backup_enabled" {
  type    = bool
  default = false
}

variable "high_availability" {
  description = "Zone-redundant standby (not available on Burstable SKUs)."
  type        = bool
  default     = false
}

variable "zone" {
  type    = string
  default = "1"
}

variable "log_analytics_workspace_id" {
  description = "Where the server's logs (pgaudit included) and metrics go."
  type        = string
}

variable "tags" {
  type    = map(string)
  default = {}
}
