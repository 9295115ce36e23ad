# Dev: one node (autoscaling to two), a burstable database without standby.
environment        = "dev"
credentials_source = "entra_token"
node_vm_size       = "Standard_D2s_v5"
node_count         = { min = 1, max = 2 }
log_retention_days = 30
postgres = {
  sku_name                     = "B_Standard_B1ms"
  storage_mb                   = 32768
  backup_retention_days        = 7
  geo_redundant_backup_enabled = false
  high_availability            = false
}
