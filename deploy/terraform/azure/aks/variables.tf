variable "subscription_id" {
  type = string
}

variable "name" {
  description = "Prefix of every resource name (as in the bootstrap stack)."
  type        = string
  default     = "rates"
}

variable "environment" {
  description = "dev or prod: the resource group is NAME-aks-ENVIRONMENT."
  type        = string
}

variable "unique_suffix" {
  description = "Makes globally unique names (registry, Key Vault, database server)."
  type        = string
}

variable "address_space" {
  type    = string
  default = "10.50.0.0/16"
}

variable "namespace" {
  description = "Namespace of the kustomize overlay (deploy/kubernetes/overlays/aks)."
  type        = string
  default     = "rates"
}

variable "kubernetes_version" {
  description = "null: the region's default; the patch channel keeps it current."
  type        = string
  default     = null
}

variable "node_vm_size" {
  type    = string
  default = "Standard_D2s_v5"
}

variable "node_count" {
  description = "Autoscaler bounds of the node pool."
  type = object({
    min = number
    max = number
  })
}

variable "admin_group_object_ids" {
  description = "Entra groups that administer the cluster (Kubernetes RBAC through Azure RBAC)."
  type        = list(string)
}

variable "database_admin_group" {
  description = "Entra group of the operators who map identities to database roles and run `rates db bootstrap` (the server's Entra administrator)."
  type = object({
    name      = string
    object_id = string
  })
}

variable "deployer_principal_id" {
  description = "Object id of the CI deploy identity (bootstrap output deploy_principal_id): may deploy to the namespace."
  type        = string
}

variable "api_server_authorized_ip_ranges" {
  description = "CIDRs that may reach the Kubernetes API (empty: any, authenticated by Entra ID)."
  type        = list(string)
  default     = []
}

variable "credentials_source" {
  description = "entra_token (the aks overlay: passwordless, password authentication off) or key_vault (the aks-key-vault overlay: password files from Key Vault; turns password authentication on)."
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

variable "postgres" {
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
