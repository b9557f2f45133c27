data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  # Services that encrypt with the keys on the account's behalf.
  service_principals = {
    logs    = ["logs.${data.aws_region.current.region}.amazonaws.com"]
    sns     = ["events.amazonaws.com", "cloudwatch.amazonaws.com", "backup.amazonaws.com"]
    data    = ["dynamodb.amazonaws.com", "backup.amazonaws.com", "es.amazonaws.com"]
    secrets = ["secretsmanager.amazonaws.com"]
    ecr     = ["ecr.amazonaws.com"]
  }
}

data "aws_iam_policy_document" "key" {
  for_each = toset(var.key_names)

  statement {
    sid       = "AccountRoot"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${local.account_id}:root"]
    }
  }

  dynamic "statement" {
    for_each = length(var.key_administrator_arns) > 0 ? [1] : []
    content {
      sid = "KeyAdministrators"
      actions = [
        "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
        "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
        "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
      ]
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = var.key_administrator_arns
      }
    }
  }

  dynamic "statement" {
    for_each = length(lookup(local.service_principals, each.key, [])) > 0 ? [1] : []
    content {
      sid       = "AllowServiceUse"
      actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = local.service_principals[each.key]
      }

      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }
    }
  }
}

resource "aws_kms_key" "this" {
  for_each = toset(var.key_names)

  description             = "${var.name_prefix} ${each.key} key"
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_days
  policy                  = data.aws_iam_policy_document.key[each.key].json
  tags                    = merge(var.tags, { Purpose = each.key })
}

resource "aws_kms_alias" "this" {
  for_each = toset(var.key_names)

  name          = "alias/${var.name_prefix}-${each.key}"
  target_key_id = aws_kms_key.this[each.key].key_id
}

# Lambda code signing: every function's package must be signed by this profile.
resource "aws_signer_signing_profile" "lambda" {
  name_prefix = replace("${var.name_prefix}_lambda_", "-", "_")
  platform_id = "AWSLambda-SHA384-ECDSA"

  signature_validity_period {
    value = var.signature_validity_days
    type  = "DAYS"
  }

  tags = var.tags
}

resource "aws_lambda_code_signing_config" "this" {
  description = "${var.name_prefix}: only code signed by ${aws_signer_signing_profile.lambda.name}"

  allowed_publishers {
    signing_profile_version_arns = [aws_signer_signing_profile.lambda.version_arn]
  }

  policies {
    untrusted_artifact_on_deployment = var.untrusted_artifact_action
  }

  tags = var.tags
}

# us-east-1 key for the log groups of CloudFront-scope services (WAF logs).
module "edge_key" {
  source = "../kms-key"
  providers = {
    aws = aws.us_east_1
  }

  alias              = "${var.name_prefix}-edge-logs"
  description        = "${var.name_prefix} edge (us-east-1) log groups"
  service_principals = ["logs.us-east-1.amazonaws.com"]
  tags               = var.tags
}
