output "site_domain_name" {
  description = "CloudFront domain of the directory."
  value       = module.delivery.distribution_domain_name
}

output "api_endpoint" {
  description = "HTTP API endpoint (CloudFront's /api/* origin)."
  value       = module.api.api_endpoint
}

output "table_name" {
  description = "Directory table."
  value       = module.app_storage.table_name
}

output "search_backend" {
  description = "The backend the API queries."
  value       = var.search_backend
}

output "inkdex_endpoint" {
  description = "gRPC endpoint of inkdex (null when not deployed)."
  value       = local.deploy_inkdex ? module.inkdex[0].endpoint : null
}

output "inkdex_repository_url" {
  description = "ECR repository for inkdex-server images (null when not deployed)."
  value       = local.deploy_inkdex ? module.inkdex[0].repository_url : null
}

output "inkdex_feed_mode" {
  description = "stream or forwarder (null when not deployed)."
  value       = local.deploy_inkdex ? module.inkdex[0].feed_mode : null
}

output "opensearch_endpoint" {
  description = "OpenSearch endpoint (null when not deployed)."
  value       = local.deploy_opensearch ? module.search[0].endpoint : null
}

output "log_bucket_names" {
  description = "Log archive buckets by log type."
  value       = module.log_storage.bucket_names
}

output "scrape_state_machine_arn" {
  description = "State machine of the scheduled scrape."
  value       = module.compute.scrape_state_machine_arn
}
