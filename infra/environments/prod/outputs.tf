output "inkdex_endpoint" {
  description = "gRPC endpoint of inkdex (null when not deployed)."
  value       = local.deploy_inkdex ? module.inkdex[0].endpoint : null
}

output "inkdex_repository_url" {
  description = "ECR repository for inkdex-server images."
  value       = local.deploy_inkdex ? module.inkdex[0].repository_url : null
}

output "table_name" {
  description = "Directory table."
  value       = module.app_storage.table_name
}
