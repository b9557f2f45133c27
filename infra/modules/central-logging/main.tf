# Audit account: one Firehose per cross-account log stream (WAF logs, API
# access logs) into the log archive bucket, fronted by a CloudWatch Logs
# destination that the app account's log groups subscribe to.
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
resource "aws_iam_role" "cwl" {
  name = "${var.name_prefix}-cwl-to-firehose"
  tags = var.tags
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "logs.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "cwl" {
  name = "put-records"
  role = aws_iam_role.cwl.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["firehose:PutRecord", "firehose:PutRecordBatch"], Resource = [for f in aws_kinesis_firehose_delivery_stream.this : f.arn] }]
  })
}

resource "aws_cloudwatch_log_destination" "this" {
  for_each = var.streams

  name       = "${var.name_prefix}-${each.key}"
  role_arn   = aws_iam_role.cwl.arn
  target_arn = aws_kinesis_firehose_delivery_stream.this[each.key].arn
}

resource "aws_cloudwatch_log_destination_policy" "this" {
  for_each = var.streams

  destination_name = aws_cloudwatch_log_destination.this[each.key].name
  access_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "logs:PutSubscriptionFilter"
      Principal = { AWS = [for a in var.source_account_ids : "arn:${data.aws_partition.current.partition}:iam::${a}:root"] }
      Resource  = aws_cloudwatch_log_destination.this[each.key].arn
    }]
  })
}

resource "aws_cloudwatch_log_group" "security" {
  name              = "/${var.name_prefix}/security"
  retention_in_days = 365
  kms_key_id        = var.logs_kms_key_arn
  tags              = var.tags
}
