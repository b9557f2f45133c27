# Audit account: one Firehose per cross-account log stream into its log
# archive bucket, fronted by a CloudWatch Logs destination that the app
# account's log groups subscribe to. Called once per region: API access logs
# in the primary region, WAF logs in us-east-1 (where the CloudFront web ACL
# and its log group are; a destination must be in its log group's region).
data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_iam_policy_document" "firehose_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["firehose.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "firehose" {
  name               = "${var.name_prefix}-log-firehose"
  assume_role_policy = data.aws_iam_policy_document.firehose_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "firehose" {
  statement {
    actions   = ["s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:ListBucket", "s3:PutObject"]
    resources = flatten([for s in var.streams : [s.bucket_arn, "${s.bucket_arn}/*"]])
  }

  statement {
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [var.archive_kms_key_arn]
  }
}

resource "aws_iam_role_policy" "firehose" {
  name   = "deliver"
  role   = aws_iam_role.firehose.id
  policy = data.aws_iam_policy_document.firehose.json
}

resource "aws_kinesis_firehose_delivery_stream" "this" {
  for_each = var.streams

  name        = "${var.name_prefix}-${each.key}"
  destination = "extended_s3"
  tags        = var.tags

  server_side_encryption {
    enabled  = true
    key_type = "CUSTOMER_MANAGED_CMK"
    key_arn  = var.kms_key_arn
  }

  extended_s3_configuration {
    role_arn            = aws_iam_role.firehose.arn
    bucket_arn          = each.value.bucket_arn
    prefix              = "${each.key}/!{timestamp:yyyy/MM/dd}/"
    error_output_prefix = "${each.key}-errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/"
    kms_key_arn         = var.archive_kms_key_arn
    compression_format  = "GZIP"
    buffering_interval  = 300
    buffering_size      = 5
  }
}

# CloudWatch Logs → Firehose role and the cross-account destinations.
data "aws_iam_policy_document" "cwl_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["logs.amazonaws.com"]
    }

    condition {
      test     = "StringLike"
      variable = "aws:SourceArn"
      values   = ["arn:${data.aws_partition.current.partition}:logs:*:${data.aws_caller_identity.current.account_id}:*"]
    }
  }
}

resource "aws_iam_role" "cwl" {
  name               = "${var.name_prefix}-cwl-to-firehose"
  assume_role_policy = data.aws_iam_policy_document.cwl_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "cwl" {
  statement {
    actions   = ["firehose:PutRecord", "firehose:PutRecordBatch"]
    resources = [for f in aws_kinesis_firehose_delivery_stream.this : f.arn]
  }
}

resource "aws_iam_role_policy" "cwl" {
  name   = "put-records"
  role   = aws_iam_role.cwl.id
  policy = data.aws_iam_policy_document.cwl.json
}

resource "aws_cloudwatch_log_destination" "this" {
  for_each = var.streams

  name       = "${var.name_prefix}-${each.key}"
  role_arn   = aws_iam_role.cwl.arn
  target_arn = aws_kinesis_firehose_delivery_stream.this[each.key].arn
}

data "aws_iam_policy_document" "destination" {
  for_each = var.streams

  statement {
    actions   = ["logs:PutSubscriptionFilter"]
    resources = [aws_cloudwatch_log_destination.this[each.key].arn]

    principals {
      type        = "AWS"
      identifiers = [for a in var.source_account_ids : "arn:${data.aws_partition.current.partition}:iam::${a}:root"]
    }
  }
}

resource "aws_cloudwatch_log_destination_policy" "this" {
  for_each = var.streams

  destination_name = aws_cloudwatch_log_destination.this[each.key].name
  access_policy    = data.aws_iam_policy_document.destination[each.key].json
}

resource "aws_cloudwatch_log_group" "security" {
  count = var.security_log_group ? 1 : 0

  name              = "/${var.name_prefix}/security"
  retention_in_days = 365
  kms_key_id        = var.logs_kms_key_arn
  tags              = var.tags
}
