output "platform" {
  description = "Endpoints and names of the environment (see infra/stacks/platform outputs)."
  value = {
    site_domain_name         = module.platform.site_domain_name
    api_endpoint             = module.platform.api_endpoint
    table_name               = module.platform.table_name
    search_backend           = module.platform.search_backend
    inkdex_endpoint          = module.platform.inkdex_endpoint
    inkdex_repository_url    = module.platform.inkdex_repository_url
    inkdex_feed_mode         = module.platform.inkdex_feed_mode
    opensearch_endpoint      = module.platform.opensearch_endpoint
    log_bucket_names         = module.platform.log_bucket_names
    scrape_state_machine_arn = module.platform.scrape_state_machine_arn
  }
}
