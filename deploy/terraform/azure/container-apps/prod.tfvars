# Prod: two replicas or more across zones, a zone-redundant database
# standby, geo-redundant backups kept five weeks.
environment        = "prod"
credentials_source = "entra_token"
cpu                = 0.5
memory             = "1Gi"
min_replicas       = 2
max_replicas       = 6
log_retention_days = 90
postgres = {
  sku_name                     = "GP_Standard_D2ds_v5"
  storage_mb                   = 65536
  backup_retention_days        = 35
  geo_redundant_backup_enabled = true
  high_availability            = true
}
