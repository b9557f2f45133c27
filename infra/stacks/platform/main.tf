# The whole platform for one environment. Every module gets the provider of
# the account it belongs to (see the environments' providers.tf and
# infra/README.md): nothing lands in the management account but governance.
locals {
  name_prefix       = "tattoo-${var.environment}"
  prod              = var.environment == "prod"
  tags              = { Project = "tattoo-directory", Environment = var.environment, ManagedBy = "terraform" }
  deploy_inkdex     = contains(["inkdex", "both"], var.search_backend)
  deploy_opensearch = contains(["opensearch", "both"], var.search_backend)
  app_role_arn      = "arn:aws:iam::${var.accounts.infrastructure}:role/${var.deploy_role_name}"
  # inkdex's feed: above two replicas, the forwarder Lambda (the inkdex
  # module's own rule, decided here since networking needs it too).
  inkdex_forwarder = local.deploy_inkdex && var.inkdex_tasks.max > 2
}

# ------------------------------------------------------------ management
module "governance" {
  source = "../../modules/governance"
  providers = {
    aws = aws.management
  }

  name_prefix     = local.name_prefix
  tags            = local.tags
  allowed_regions = var.regions
  target_ou_ids   = var.target_ou_ids
}

# ------------------------------------------------------------ infrastructure (app)
module "foundation" {
  source = "../../modules/foundation"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name_prefix               = local.name_prefix
  tags                      = local.tags
  untrusted_artifact_action = local.prod ? "Enforce" : "Warn"
}

module "networking" {
  source = "../../modules/networking"

  name_prefix        = local.name_prefix
  tags               = local.tags
  cidr_block         = var.vpc_cidr
  single_nat_gateway = !local.prod
  # inkdex is reached through its internal ALB inside the VPC; OpenSearch's
  # API needs the es interface endpoint.
  search_endpoint_services = local.deploy_opensearch ? ["es"] : []
  # inkdex replicas reading the stream themselves (stream feed mode).
  dynamodb_streams_endpoint = local.deploy_inkdex
  flow_logs_bucket_arn      = module.log_storage.bucket_arns["vpc-flow"]
  # The inkdex forwarder listing the replicas with Cloud Map's
  # DiscoverInstances (forwarder feed mode).
  service_discovery_endpoint = local.inkdex_forwarder
}

module "app_storage" {
  source = "../../modules/app-storage"

  name_prefix         = local.name_prefix
  tags                = local.tags
  kms_key_arn         = module.foundation.kms_key_arns["data"]
  deletion_protection = local.prod
}

module "app_security" {
  source = "../../modules/app-security"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name_prefix             = local.name_prefix
  tags                    = local.tags
  waf_logs_kms_key_arn    = module.foundation.edge_logs_kms_key_arn
  waf_log_destination_arn = module.central_logging_edge.destination_arns["waf"]
  secrets_kms_key_arn     = module.foundation.kms_key_arns["secrets"]
}

module "iam" {
  source = "../../modules/iam"

  name_prefix         = local.name_prefix
  tags                = local.tags
  table_arn           = module.app_storage.table_arn
  data_kms_key_arn    = module.foundation.kms_key_arns["data"]
  queue_kms_key_arn   = module.foundation.kms_key_arns["secrets"]
  ecr_kms_key_arn     = module.foundation.kms_key_arns["ecr"]
  scraper_secret_arns = values(module.app_security.secret_arns)
  opensearch_enabled  = local.deploy_opensearch
}

module "compute" {
  source = "../../modules/compute"

  name_prefix             = local.name_prefix
  tags                    = local.tags
  vpc_id                  = module.networking.vpc_id
  vpc_cidr                = module.networking.vpc_cidr
  private_subnet_ids      = module.networking.private_subnet_ids
  role_arns               = module.iam.role_arns
  api_package_path        = var.api_package_path
  code_signing_config_arn = module.foundation.code_signing_config_arn
  kms_key_arn             = module.foundation.kms_key_arns["secrets"]
  logs_kms_key_arn        = module.foundation.kms_key_arns["logs"]
  table_name              = module.app_storage.table_name
  scraper_image           = var.scraper_image
  scraper_workers         = local.prod ? 4 : 1
  # The API queries the backend search_backend names; under "both" it queries
  # inkdex and can compare with OpenSearch.
  search_backend     = var.search_backend
  search_environment = local.search_environment
}

module "api" {
  source = "../../modules/api"

  name_prefix                = local.name_prefix
  tags                       = local.tags
  lambda_invoke_arn          = module.compute.api_invoke_arn
  lambda_function_arn        = module.compute.api_function_arn
  logs_kms_key_arn           = module.foundation.kms_key_arns["logs"]
  access_log_destination_arn = module.central_logging.destination_arns["api-access"]
}

module "delivery" {
  source = "../../modules/delivery"

  name_prefix                      = local.name_prefix
  tags                             = local.tags
  web_acl_arn                      = module.app_security.web_acl_arn
  site_bucket_id                   = module.app_storage.site_bucket_id
  site_bucket_arn                  = module.app_storage.site_bucket_arn
  site_bucket_regional_domain_name = module.app_storage.site_bucket_regional_domain_name
  api_endpoint                     = module.api.api_endpoint
}

module "app_monitoring" {
  source = "../../modules/app-monitoring"

  name_prefix  = local.name_prefix
  tags         = local.tags
  kms_key_arn  = module.foundation.kms_key_arns["sns"]
  table_name   = module.app_storage.table_name
  alert_emails = var.alert_emails
}
