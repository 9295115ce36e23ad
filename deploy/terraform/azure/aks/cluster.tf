# AZU-0041, AZU-0065: a public API server (Entra ID auth; authorized ranges are a variable) so hosted CI agents can deploy.
# AZU-0067: OS disks use platform-managed keys; a disk encryption set is a customer-managed-key project.
#trivy:ignore:AZU-0041
#trivy:ignore:AZU-0065
#trivy:ignore:AZU-0067
resource "azurerm_kubernetes_cluster" "this" {
  #checkov:skip=CKV_AZURE_115:a public API server (Entra ID auth, optional authorized ranges) so hosted CI agents can deploy
  #checkov:skip=CKV_AZURE_6:authorized IP ranges are a variable; hosted agents have no fixed addresses
  #checkov:skip=CKV_AZURE_117:OS disks use platform-managed keys; a disk encryption set is a customer-managed-key project
  #checkov:skip=CKV_AZURE_227:host encryption needs the EncryptionAtHost feature registered on the subscription
  #checkov:skip=CKV_AZURE_226:ephemeral OS disks need a VM size with a large enough cache; D2s_v5 has none
  #checkov:skip=CKV_AZURE_170:the paid SLA tier is chosen per environment (Standard for prod)
  #checkov:skip=CKV_AZURE_232:one node pool keeps the dev cluster at one VM; critical add-ons share it
  name                = "${local.prefix}-cluster"
  resource_group_name = data.azurerm_resource_group.this.name
  location            = data.azurerm_resource_group.this.location
  dns_prefix          = local.prefix
  kubernetes_version  = var.kubernetes_version
  sku_tier            = var.environment == "prod" ? "Standard" : "Free"
  tags                = local.tags

  # Pods get Entra tokens through workload identity (a projected service
  # account token exchanged via the OIDC issuer), never the node's identity.
  oidc_issuer_enabled       = true
  workload_identity_enabled = true

  local_account_disabled            = true
  role_based_access_control_enabled = true
  azure_policy_enabled              = true
  automatic_upgrade_channel         = "patch"
  node_os_upgrade_channel           = "NodeImage"
  image_cleaner_enabled             = true
  image_cleaner_interval_hours      = 48

  # The cluster's own identity: system-assigned, no service principal secret.
  identity {
    type = "SystemAssigned"
  }

  azure_active_directory_role_based_access_control {
    azure_rbac_enabled     = true
    tenant_id              = data.azurerm_client_config.current.tenant_id
    admin_group_object_ids = var.admin_group_object_ids
  }

  api_server_access_profile {
    authorized_ip_ranges = var.api_server_authorized_ip_ranges
  }

  default_node_pool {
    name                 = "system"
    vm_size              = var.node_vm_size
    os_sku               = "AzureLinux"
    auto_scaling_enabled = true
    min_count            = var.node_count.min
    max_count            = var.node_count.max
    max_pods             = 50
    zones                = ["1", "2", "3"]
    vnet_subnet_id       = azurerm_subnet.nodes.id

    upgrade_settings {
      max_surge = "33%"
    }
  }

  network_profile {
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    network_data_plane  = "cilium"
    network_policy      = "cilium" # enforces the manifests' NetworkPolicies
    load_balancer_sku   = "standard"
  }

  # Secrets Store CSI driver with the Azure Key Vault provider: the aks
  # overlay's Key Vault alternative mounts secrets as files; rotation polls
  # the vault so rotated secrets reach running pods.
  key_vault_secrets_provider {
    secret_rotation_enabled  = true
    secret_rotation_interval = "2m"
  }

  # Container Insights, authenticated by managed identity.
  oms_agent {
    log_analytics_workspace_id      = azurerm_log_analytics_workspace.this.id
    msi_auth_for_monitoring_enabled = true
  }

  lifecycle {
    ignore_changes = [default_node_pool[0].node_count, kubernetes_version]
  }
}

resource "azurerm_monitor_diagnostic_setting" "cluster" {
  name                       = "${local.prefix}-cluster-logs"
  target_resource_id         = azurerm_kubernetes_cluster.this.id
  log_analytics_workspace_id = azurerm_log_analytics_workspace.this.id

  enabled_log {
    category_group = "audit"
  }

  enabled_metric {
    category = "AllMetrics"
  }
}
