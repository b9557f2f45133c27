# The log archive account's buckets: one per log type, versioned, KMS-encrypted,
# object lock (compliance mode), lifecycle to cheaper storage, TLS-only, each
# open to exactly the writers that deliver into it, and replicated to the DR
# region (replication.tf).
data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  firehose = {
    type           = "AWS"
    identifiers    = var.firehose_role_arns
    condition      = "aws:PrincipalOrgID"
    values         = [var.organization_id]
    prefix         = ""
    bucket_actions = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]
    object_actions = ["s3:PutObject", "s3:AbortMultipartUpload"]
  }
  # Who delivers into each bucket, and under which key prefix.
  writers = {
    # Organization trail (Control Tower or the platform's own), every account.
    cloudtrail = {
      type           = "Service"
      identifiers    = ["cloudtrail.amazonaws.com"]
      condition      = "aws:SourceOrgID"
      values         = [var.organization_id]
      prefix         = "AWSLogs/"
      bucket_actions = ["s3:GetBucketAcl"]
      object_actions = ["s3:PutObject"]
    }
    # AWS Config of the audit account (central-security) and the app account.
    config = {
      type           = "Service"
      identifiers    = ["config.amazonaws.com"]
      condition      = "aws:SourceAccount"
      values         = [var.audit_account_id, var.app_account_id]
      prefix         = "config/AWSLogs/"
      bucket_actions = ["s3:GetBucketAcl", "s3:ListBucket"]
      object_actions = ["s3:PutObject"]
    }
    # VPC flow logs of the app account, delivered by the log delivery service.
    vpc-flow = {
      type           = "Service"
      identifiers    = ["delivery.logs.amazonaws.com"]
      condition      = "aws:SourceAccount"
      values         = [var.app_account_id]
      prefix         = "vpc-flow-logs/AWSLogs/${var.app_account_id}/"
      bucket_actions = ["s3:GetBucketAcl", "s3:ListBucket"]
      object_actions = ["s3:PutObject"]
    }
    # WAF logs and API access logs: the audit account's Firehose roles.
    waf    = local.firehose
    access = local.firehose
  }
}

module "key" {
  source = "../kms-key"

  alias              = "${var.name_prefix}-log-archive"
  description        = "${var.name_prefix} log archive"
  service_principals = ["cloudtrail.amazonaws.com", "config.amazonaws.com", "delivery.logs.amazonaws.com", "backup.amazonaws.com"]
  organization_id    = var.organization_id
  tags               = var.tags

  external_principals = [{
    sid                    = "AuditFirehose"
    account_roots          = ["arn:${local.partition}:iam::${var.audit_account_id}:root"]
    principal_arn_patterns = var.firehose_role_arns
  }]
}

data "aws_iam_policy_document" "writers" {
  for_each = local.writers

  statement {
    sid       = "WriterBucket"
    actions   = each.value.bucket_actions
    resources = ["arn:${local.partition}:s3:::${var.name_prefix}-${each.key}-logs-${local.account_id}"]

    principals {
      type        = each.value.type
      identifiers = each.value.identifiers
    }

    condition {
      test     = "StringEquals"
      variable = each.value.condition
      values   = each.value.values
    }
  }

  statement {
    sid       = "WriterObjects"
    actions   = each.value.object_actions
    resources = ["arn:${local.partition}:s3:::${var.name_prefix}-${each.key}-logs-${local.account_id}/${each.value.prefix}*"]

    principals {
      type        = each.value.type
      identifiers = each.value.identifiers
    }

    condition {
      test     = "StringEquals"
      variable = each.value.condition
      values   = each.value.values
    }
  }
}

module "bucket" {
  source   = "../secure-bucket"
  for_each = local.writers

  name             = "${var.name_prefix}-${each.key}-logs-${local.account_id}"
  kms_key_arn      = module.key.arn
  object_lock      = true
  object_lock_days = var.object_lock_days
  policy_documents = [data.aws_iam_policy_document.writers[each.key].json]
  tags             = merge(var.tags, { LogType = each.key })

  lifecycle_days = {
    standard_ia = var.transition_ia_days
    glacier     = var.transition_glacier_days
    expiration  = var.expiration_days
  }
}
