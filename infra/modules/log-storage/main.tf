# The log archive account's buckets: one per log type, versioned, KMS-encrypted,
# object lock (compliance mode), lifecycle to cheaper storage, TLS-only, and
# replicated to a bucket in the DR region (prod).
data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  buckets = toset(["cloudtrail", "config", "vpc-flow", "waf", "access"])
  # Service principals that deliver logs into each bucket.
  writers = {
    cloudtrail = ["cloudtrail.amazonaws.com"]
    config     = ["config.amazonaws.com"]
    vpc-flow   = ["delivery.logs.amazonaws.com"]
    waf        = ["firehose.amazonaws.com"]
    access     = ["logging.s3.amazonaws.com", "delivery.logs.amazonaws.com"]
  }
}

resource "aws_kms_key" "archive" {
  description             = "${var.name_prefix} log archive"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = var.tags
}

data "aws_iam_policy_document" "key" {
  statement {
    sid       = "AccountRoot"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    sid       = "LogDeliveryServices"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt", "kms:DescribeKey"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = distinct(flatten(values(local.writers)))
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceOrgID"
      values   = [var.organization_id]
    }
  }
}

resource "aws_s3_bucket" "log" {
  for_each = local.buckets

  bucket              = "${var.name_prefix}-${each.key}-logs-${data.aws_caller_identity.current.account_id}"
  object_lock_enabled = true
  tags                = merge(var.tags, { LogType = each.key })
}

resource "aws_s3_bucket_public_access_block" "log" {
  for_each = aws_s3_bucket.log

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "log" {
  for_each = aws_s3_bucket.log

  bucket = each.value.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "log" {
  for_each = aws_s3_bucket.log

  bucket = each.value.id

  rule {
    bucket_key_enabled = true

    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.archive.arn
    }
  }
}

resource "aws_s3_bucket_object_lock_configuration" "log" {
  for_each = aws_s3_bucket.log

  bucket = each.value.id

  rule {
    default_retention {
      mode = "COMPLIANCE"
      days = var.object_lock_days
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "log" {
  for_each = aws_s3_bucket.log

  bucket = each.value.id

  rule {
    id     = "archive"
    status = "Enabled"

    filter {}

    transition {
      days          = var.transition_ia_days
      storage_class = "STANDARD_IA"
    }

    transition {
      days          = var.transition_glacier_days
      storage_class = "GLACIER"
    }

    expiration {
      days = var.expiration_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 30
    }
  }
}

data "aws_iam_policy_document" "log" {
  for_each = local.buckets

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.log[each.key].arn, "${aws_s3_bucket.log[each.key].arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid       = "ServiceDelivery"
    actions   = ["s3:PutObject", "s3:GetBucketAcl", "s3:ListBucket"]
    resources = [aws_s3_bucket.log[each.key].arn, "${aws_s3_bucket.log[each.key].arn}/*"]

    principals {
      type        = "Service"
      identifiers = local.writers[each.key]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceOrgID"
      values   = [var.organization_id]
    }
  }

  dynamic "statement" {
    for_each = each.key == "waf" ? [1] : []
    content {
      sid       = "FirehoseFromAudit"
      actions   = ["s3:PutObject", "s3:GetBucketLocation", "s3:ListBucket", "s3:AbortMultipartUpload"]
      resources = [aws_s3_bucket.log[each.key].arn, "${aws_s3_bucket.log[each.key].arn}/*"]

      principals {
        type        = "AWS"
        identifiers = ["arn:${data.aws_partition.current.partition}:iam::${var.audit_account_id}:root"]
      }
    }
  }
}

resource "aws_s3_bucket_policy" "log" {
  for_each = aws_s3_bucket.log

  bucket = each.value.id
  policy = data.aws_iam_policy_document.log[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.log]
}
