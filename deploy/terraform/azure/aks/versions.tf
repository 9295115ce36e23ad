terraform {
  required_version = ">= 1.11" # write-only arguments
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.51"
    }
  }
  # Partial configuration: terraform init -backend-config=../backend.hcl
  # -backend-config=key=aks-ENV.tfstate (see the README).
  backend "azurerm" {}
}

provider "azurerm" {
  features {}
  subscription_id     = var.subscription_id
  storage_use_azuread = true
}

data "azurerm_client_config" "current" {}

# Created by the bootstrap stack, which scopes the deploy identity to it.
data "azurerm_resource_group" "this" {
  name = "${var.name}-aks-${var.environment}"
}
