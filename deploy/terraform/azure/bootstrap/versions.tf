# Local state on the first apply (the state storage does not exist yet); the
# README's "Bootstrap" steps then move this state into the storage it made.
terraform {
  required_version = ">= 1.9"
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.51"
    }
  }
}

provider "azurerm" {
  features {}
  subscription_id = var.subscription_id
  # The state account has shared keys disabled: data plane calls use Entra ID.
  storage_use_azuread = true
}
