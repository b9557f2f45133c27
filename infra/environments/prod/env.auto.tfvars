# prod: committed values (account ids and artifacts: terraform.tfvars).
environment     = "prod"
search_backend  = "inkdex"
vpc_cidr        = "10.30.0.0/16"
log_replication = true
inkdex_tasks    = { min = 2, max = 2 }
opensearch      = { instance_type = "m6g.large.search", instance_count = 2, volume_size_gib = 20 }
