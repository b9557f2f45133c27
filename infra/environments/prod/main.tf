locals {
  name_prefix     = "tattoo-${var.environment}"
  tags            = { Project = "tattoo-directory", Environment = var.environment, ManagedBy = "terraform" }
  deploy_inkdex   = contains(["inkdex", "both"], var.search_backend)
  deploy_opensrch = contains(["opensearch", "both"], var.search_backend)
}

module "foundation" {
  source = "../../modules/foundation"

  name_prefix               = local.name_prefix
  tags                      = local.tags
  untrusted_artifact_action = var.environment == "prod" ? "Enforce" : "Warn"
}

module "networking" {
  source = "../../modules/networking"

  name_prefix              = local.name_prefix
  tags                     = local.tags
  cidr_block               = var.vpc_cidr
  single_nat_gateway       = var.environment != "prod"
  search_endpoint_services = local.deploy_opensrch ? ["es"] : []
  flow_logs_bucket_arn     = var.flow_logs_bucket_arn
}

module "app_storage" {
  source = "../../modules/app-storage"

  name_prefix        = local.name_prefix
  tags               = local.tags
  kms_key_arn        = module.foundation.kms_key_arns["data"]
  access_logs_bucket = var.access_logs_bucket
}

module "app_monitoring" {
  source = "../../modules/app-monitoring"

  name_prefix  = local.name_prefix
  tags         = local.tags
  kms_key_arn  = module.foundation.kms_key_arns["sns"]
  table_name   = module.app_storage.table_name
  alert_emails = var.alert_emails
}

module "inkdex" {
  source = "../../modules/inkdex"
  count  = local.deploy_inkdex ? 1 : 0

  name_prefix               = local.name_prefix
  tags                      = local.tags
  vpc_id                    = module.networking.vpc_id
  vpc_cidr                  = module.networking.vpc_cidr
  private_subnet_ids        = module.networking.private_subnet_ids
  gateway_prefix_list_ids   = module.networking.gateway_prefix_list_ids
  client_security_group_ids = var.api_security_group_ids
  certificate_arn           = var.inkdex_certificate_arn
  table_name                = module.app_storage.table_name
  table_arn                 = module.app_storage.table_arn
  stream_arn                = module.app_storage.stream_arn
  table_kms_key_arn         = module.foundation.kms_key_arns["data"]
  secrets_kms_key_arn       = module.foundation.kms_key_arns["secrets"]
  logs_kms_key_arn          = module.foundation.kms_key_arns["logs"]
  ecr_kms_key_arn           = module.foundation.kms_key_arns["ecr"]
  code_signing_config_arn   = module.foundation.code_signing_config_arn
  alarm_topic_arn           = module.app_monitoring.alarm_topic_arn
  image_tag                 = var.inkdex_image_tag
  min_tasks                 = var.inkdex_min_tasks
  max_tasks                 = var.inkdex_max_tasks
  discovery_namespace       = "inkdex.${var.environment}.internal"
  forwarder_source_dir      = "${path.root}/../../lambda/stream-forwarder"
  deletion_protection       = var.environment == "prod"
}
