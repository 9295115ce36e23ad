# The smallest useful deployment (README: ECS Fargate, monthly cost).
environment        = "dev"
credentials_source = "rds_iam"
endpoint_az_count  = 1
task_cpu           = 256
task_memory        = 512
min_tasks          = 1
max_tasks          = 2
db_instance_class  = "db.t4g.micro"
db_multi_az        = false
# Not offered on the smallest burstable classes.
db_performance_insights = false
log_retention_days      = 14
