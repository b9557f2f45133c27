# dev: committed values (account ids and artifacts: terraform.tfvars).
environment     = "dev"
search_backend  = "inkdex"
vpc_cidr        = "10.20.0.0/16"
log_replication = false
inkdex_tasks    = { min = 1, max = 2 }
opensearch      = { instance_type = "t3.small.search", instance_count = 1, volume_size_gib = 10 }
