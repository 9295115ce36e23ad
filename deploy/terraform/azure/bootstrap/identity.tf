# The identity CI deploys as: no secret anywhere, only federated credentials
# (GitHub OIDC for the main branch and the production environment, and the
# Azure Pipelines service connection when configured).
resource "azurerm_user_assigned_identity" "deploy" {
  name                = "${var.name}-deploy"
  resource_group_name = azurerm_resource_group.state.name
  location            = azurerm_resource_group.state.location
  tags                = local.tags
}

locals {
  federated = merge(
    {
      github-main = {
        issuer  = "https://token.actions.githubusercontent.com"
        subject = "repo:${var.github_repository}:ref:refs/heads/main"
      }
      github-production = {
        issuer  = "https://token.actions.githubusercontent.com"
        subject = "repo:${var.github_repository}:environment:production"
      }
    },
    var.azure_devops == null ? {} : { azure-pipelines = var.azure_devops },
  )
}

resource "azurerm_federated_identity_credential" "deploy" {
  for_each            = local.federated
  name                = each.key
  resource_group_name = azurerm_resource_group.state.name
  parent_id           = azurerm_user_assigned_identity.deploy.id
  issuer              = each.value.issuer
  subject             = each.value.subject
  audience            = ["api://AzureADTokenExchange"]
}
