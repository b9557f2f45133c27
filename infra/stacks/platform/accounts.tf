# ------------------------------------------------------------ audit
module "audit_foundation" {
  source = "../../modules/audit-foundation"
  providers = {
    aws           = aws.audit
    aws.us_east_1 = aws.audit_us_east_1
  }

  name_prefix = local.name_prefix
  tags        = local.tags
}

# API access logs: app log group -> audit destination -> Firehose -> log archive.
module "central_logging" {
  source = "../../modules/central-logging"
  providers = {
    aws = aws.audit
  }

  name_prefix         = local.name_prefix
  tags                = local.tags
  streams             = { api-access = { bucket_arn = module.log_storage.bucket_arns["access"] } }
  source_account_ids  = [var.accounts.infrastructure]
  kms_key_arn         = module.audit_foundation.kms_key_arn
  logs_kms_key_arn    = module.audit_foundation.kms_key_arn
  archive_kms_key_arn = module.log_storage.kms_key_arn
}

# WAF logs: the CLOUDFRONT web ACL logs in us-east-1, so its destination and
# Firehose are there too (writing to the log archive bucket in the primary region).
module "central_logging_edge" {
  source = "../../modules/central-logging"
  providers = {
    aws = aws.audit_us_east_1
  }

  name_prefix         = "${local.name_prefix}-edge"
  tags                = local.tags
  streams             = { waf = { bucket_arn = module.log_storage.bucket_arns["waf"] } }
  source_account_ids  = [var.accounts.infrastructure]
  kms_key_arn         = module.audit_foundation.edge_kms_key_arn
  logs_kms_key_arn    = module.audit_foundation.edge_kms_key_arn
  archive_kms_key_arn = module.log_storage.kms_key_arn
  security_log_group  = false
}

module "central_security" {
  source = "../../modules/central-security"
  count  = var.audit_baseline ? 1 : 0
  providers = {
    aws = aws.audit
  }

  name_prefix           = local.name_prefix
  tags                  = local.tags
  config_bucket_name    = module.log_storage.bucket_names["config"]
  archive_kms_key_arn   = module.log_storage.kms_key_arn
  inspector_account_ids = [var.accounts.audit, var.accounts.infrastructure]
}

module "security_monitoring" {
  source = "../../modules/security-monitoring"
  count  = var.audit_baseline ? 1 : 0
  providers = {
    aws = aws.audit
  }

  name_prefix  = local.name_prefix
  tags         = local.tags
  kms_key_arn  = module.audit_foundation.kms_key_arn
  alert_emails = var.alert_emails
}

module "audit_governance" {
  source = "../../modules/audit-governance"
  count  = var.audit_baseline ? 1 : 0
  providers = {
    aws = aws.audit
  }

  name_prefix = local.name_prefix
  tags        = local.tags

  depends_on = [module.central_security]
}

# ------------------------------------------------------------ log archive
module "log_storage" {
  source = "../../modules/log-storage"
  providers = {
    aws    = aws.log_archive
    aws.dr = aws.log_archive_dr
  }

  name_prefix         = local.name_prefix
  tags                = local.tags
  organization_id     = var.organization_id
  audit_account_id    = var.accounts.audit
  app_account_id      = var.accounts.infrastructure
  firehose_role_arns  = [module.central_logging.firehose_role_arn, module.central_logging_edge.firehose_role_arn]
  object_lock_days    = local.prod ? 365 : 30
  expiration_days     = local.prod ? 2555 : 90
  replication_enabled = var.log_replication
}

# Plan and local vault in the app account; locked vaults in the log archive
# account, primary and DR region.
module "backup" {
  source = "../../modules/backup"
  providers = {
    aws          = aws
    aws.vault    = aws.log_archive
    aws.vault_dr = aws.log_archive_dr
  }

  name_prefix          = local.name_prefix
  tags                 = local.tags
  organization_id      = var.organization_id
  vault_kms_key_arn    = module.log_storage.kms_key_arn
  vault_dr_kms_key_arn = module.log_storage.dr_kms_key_arn
  local_kms_key_arn    = module.foundation.kms_key_arns["data"]
  retention_days       = local.prod ? 365 : 35
  resource_arns        = [module.app_storage.table_arn]

  depends_on = [module.governance]
}
