resource "azurerm_container_registry" "this" {
  #checkov:skip=CKV_AZURE_139:CI pushes from hosted agents over the internet; nodes pull with the kubelet identity (admin user off)
  #checkov:skip=CKV_AZURE_165:geo-replication needs Premium; one region is deployed
  #checkov:skip=CKV_AZURE_166:image quarantine needs a scanner wired to release images; CI scans before pushing
  #checkov:skip=CKV_AZURE_233:zone redundancy needs Premium
  #checkov:skip=CKV_AZURE_164:content trust (Docker Content Trust) is retired; images are pinned by digest
  #checkov:skip=CKV_AZURE_237:dedicated data endpoints need Premium
  #checkov:skip=CKV_AZURE_167:retention of untagged manifests needs Premium; CI deletes old tags
  name                = replace("${local.prefix}${var.unique_suffix}", "-", "")
  resource_group_name = data.azurerm_resource_group.this.name
  location            = data.azurerm_resource_group.this.location
  sku                 = "Standard"
  admin_enabled       = false
  tags                = local.tags
}

resource "azurerm_role_assignment" "kubelet_pulls" {
  scope                = azurerm_container_registry.this.id
  role_definition_name = "AcrPull"
  principal_id         = azurerm_kubernetes_cluster.this.kubelet_identity[0].object_id
  principal_type       = "ServicePrincipal"
}
