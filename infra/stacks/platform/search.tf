# ------------------------------------------------------------ search backends
# search_backend: inkdex (default), opensearch, or both side by side.
locals {
  search_environment = merge(
    local.deploy_inkdex ? { INKDEX_ENDPOINT = module.inkdex[0].endpoint } : {},
    local.deploy_opensearch ? { OPENSEARCH_ENDPOINT = module.search[0].endpoint } : {},
  )
}

module "inkdex" {
  source = "../../modules/inkdex"
  count  = local.deploy_inkdex ? 1 : 0

  name_prefix                   = local.name_prefix
  tags                          = local.tags
  vpc_id                        = module.networking.vpc_id
  vpc_cidr                      = module.networking.vpc_cidr
  private_subnet_ids            = module.networking.private_subnet_ids
  gateway_prefix_list_ids       = module.networking.gateway_prefix_list_ids
  endpoints_security_group_id   = module.networking.endpoints_security_group_id
  dynamodb_streams_endpoint_url = module.networking.dynamodb_streams_endpoint_url
  client_security_group_ids     = [module.compute.api_security_group_id]
  certificate_arn               = var.inkdex_certificate_arn
  table_name                    = module.app_storage.table_name
  table_arn                     = module.app_storage.table_arn
  stream_arn                    = module.app_storage.stream_arn
  table_kms_key_arn             = module.foundation.kms_key_arns["data"]
  secrets_kms_key_arn           = module.foundation.kms_key_arns["secrets"]
  logs_kms_key_arn              = module.foundation.kms_key_arns["logs"]
  ecr_kms_key_arn               = module.foundation.kms_key_arns["ecr"]
  code_signing_config_arn       = module.foundation.code_signing_config_arn
  alarm_topic_arn               = module.app_monitoring.alarm_topic_arn
  image_tag                     = var.inkdex_image_tag
  min_tasks                     = var.inkdex_tasks.min
  max_tasks                     = var.inkdex_tasks.max
  feed_mode                     = local.inkdex_forwarder ? "forwarder" : "stream"
  discovery_namespace           = "inkdex.${var.environment}.internal"
  forwarder_package_path        = var.inkdex_forwarder_package_path
  deletion_protection           = local.prod
}

module "search" {
  source = "../../modules/search"
  count  = local.deploy_opensearch ? 1 : 0

  name_prefix               = local.name_prefix
  tags                      = local.tags
  vpc_id                    = module.networking.vpc_id
  private_subnet_ids        = module.networking.private_subnet_ids
  client_security_group_ids = [module.compute.api_security_group_id]
  instance_type             = var.opensearch.instance_type
  instance_count            = var.opensearch.instance_count
  volume_size_gib           = var.opensearch.volume_size_gib
  kms_key_arn               = module.foundation.kms_key_arns["data"]
  logs_kms_key_arn          = module.foundation.kms_key_arns["logs"]
  master_role_arn           = coalesce(var.opensearch_master_role_arn, local.app_role_arn)
}

# The table stream -> OpenSearch sync, through the stream-consumer module
# (REMOVE events kept, partial batch failures, bounded retries and age, SQS
# on-failure destination), when a sync package is given.
module "opensearch_sync" {
  source = "../../modules/stream-consumer"
  count  = local.deploy_opensearch && var.opensearch_sync_package_path != null ? 1 : 0

  name                    = "${local.name_prefix}-opensearch-sync"
  description             = "Applies the table's stream (inserts, updates, removals) to the OpenSearch index."
  package_path            = var.opensearch_sync_package_path
  table_arn               = module.app_storage.table_arn
  stream_arn              = module.app_storage.stream_arn
  subnet_ids              = module.networking.private_subnet_ids
  security_group_ids      = [module.compute.api_security_group_id]
  kms_key_arn             = module.foundation.kms_key_arns["secrets"]
  logs_kms_key_arn        = module.foundation.kms_key_arns["logs"]
  decrypt_kms_key_arns    = [module.foundation.kms_key_arns["data"], module.foundation.kms_key_arns["secrets"]]
  code_signing_config_arn = module.foundation.code_signing_config_arn
  tags                    = local.tags
  environment             = { OPENSEARCH_ENDPOINT = module.search[0].endpoint }

  extra_policy_statements = [{
    sid       = "WriteIndex"
    actions   = ["es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete", "es:ESHttpGet"]
    resources = ["${module.search[0].domain_arn}/*"]
  }]
}
