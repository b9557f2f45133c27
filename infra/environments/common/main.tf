module "platform" {
  source = "../../stacks/platform"
  providers = {
    aws                 = aws
    aws.us_east_1       = aws.us_east_1
    aws.management      = aws.management
    aws.audit           = aws.audit
    aws.audit_us_east_1 = aws.audit_us_east_1
    aws.log_archive     = aws.log_archive
    aws.log_archive_dr  = aws.log_archive_dr
    random              = random
    archive             = archive
  }

  environment                  = var.environment
  accounts                     = var.accounts
  organization_id              = var.organization_id
  regions                      = [var.region, var.dr_region]
  target_ou_ids                = var.target_ou_ids
  deploy_role_name             = var.deploy_role_name
  audit_baseline               = var.audit_baseline
  search_backend               = var.search_backend
  vpc_cidr                     = var.vpc_cidr
  alert_emails                 = var.alert_emails
  log_replication              = var.log_replication
  api_package_path             = var.api_package_path
  scraper_image                = var.scraper_image
  inkdex_certificate_arn       = var.inkdex_certificate_arn
  inkdex_image_tag             = var.inkdex_image_tag
  inkdex_tasks                 = var.inkdex_tasks
  opensearch                   = var.opensearch
  opensearch_sync_package_path = var.opensearch_sync_package_path

  inkdex_forwarder_package_path = var.inkdex_forwarder_package_path
}
