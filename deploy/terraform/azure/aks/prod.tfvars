# Prod: three nodes or more across zones, a zone-redundant database standby,
# geo-redundant backups kept five weeks.
environment        = "prod"
credentials_source = "entra_token"
node_vm_size       = "Standard_D4s_v5"
node_count         = { min = 3, max = 6 }
log_retention_days = 90
postgres = {
  sku_name                     = "GP_Standard_D2ds_v5"
  storage_mb                   = 65536
  backup_retention_days        = 35
  geo_redundant_backup_enabled = true
  high_availability            = true
}
