# Dev: one small replica, a burstable database without standby.
environment        = "dev"
credentials_source = "entra_token"
cpu                = 0.25
memory             = "0.5Gi"
min_replicas       = 1
max_replicas       = 2
log_retention_days = 30
postgres = {
  sku_name                     = "B_Standard_B1ms"
  storage_mb                   = 32768
  backup_retention_days        = 7
  geo_redundant_backup_enabled = false
  high_availability            = false
}
