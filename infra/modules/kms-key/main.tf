# One customer-managed key: the account root administers it, named services
# use it (scoped to this account or the organization), optional extra
# principals (another account's role) use it too.
data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_root = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"
  use_actions  = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "AccountRoot"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [local.account_root]
    }
  }

  dynamic "statement" {
    for_each = length(var.service_principals) > 0 ? [1] : []
    content {
      sid       = "ServiceUse"
      actions   = local.use_actions
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = var.service_principals
      }

      condition {
        test     = "StringEquals"
        variable = var.organization_id != null ? "aws:SourceOrgID" : "aws:SourceAccount"
        values   = [coalesce(var.organization_id, data.aws_caller_identity.current.account_id)]
      }
    }
  }

  dynamic "statement" {
    for_each = var.external_principals
    content {
      sid       = statement.value.sid
      actions   = local.use_actions
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = statement.value.account_roots
      }

      condition {
        test     = "ArnLike"
        variable = "aws:PrincipalArn"
        values   = statement.value.principal_arn_patterns
      }
    }
  }
}

resource "aws_kms_key" "this" {
  description             = var.description
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_days
  policy                  = data.aws_iam_policy_document.this.json
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.alias}"
  target_key_id = aws_kms_key.this.key_id
}
