# The DR region (provider aws.dr, same account): a key for the replicas and the
# DR backup vault, and with replication_enabled one object-locked replica per
# log bucket, fed by S3 replication.
module "dr_key" {
  source = "../kms-key"
  providers = {
    aws = aws.dr
  }

  alias              = "${var.name_prefix}-log-archive-dr"
  description        = "${var.name_prefix} log archive, DR region"
  service_principals = ["s3.amazonaws.com", "backup.amazonaws.com"]
  organization_id    = var.organization_id
  tags               = var.tags
}

module "replica" {
  source   = "../secure-bucket"
  for_each = var.replication_enabled ? local.writers : {}
  providers = {
    aws = aws.dr
  }

  name        = "${var.name_prefix}-${each.key}-logs-dr-${local.account_id}"
  kms_key_arn = module.dr_key.arn
  object_lock = true
  tags        = merge(var.tags, { LogType = each.key, Replica = "true" })
}

data "aws_iam_policy_document" "replication_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "replication" {
  count = var.replication_enabled ? 1 : 0

  name               = "${var.name_prefix}-log-replication"
  assume_role_policy = data.aws_iam_policy_document.replication_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "replication" {
  count = var.replication_enabled ? 1 : 0

  statement {
    actions   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
    resources = [for b in module.bucket : b.arn]
  }

  statement {
    actions   = ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging", "s3:GetObjectRetention", "s3:GetObjectLegalHold"]
    resources = [for b in module.bucket : "${b.arn}/*"]
  }

  statement {
    actions   = ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"]
    resources = [for b in module.replica : "${b.arn}/*"]
  }

  statement {
    actions   = ["kms:Decrypt"]
    resources = [module.key.arn]
  }

  statement {
    actions   = ["kms:Encrypt", "kms:GenerateDataKey"]
    resources = [module.dr_key.arn]
  }
}

resource "aws_iam_role_policy" "replication" {
  count = var.replication_enabled ? 1 : 0

  name   = "replication"
  role   = aws_iam_role.replication[0].id
  policy = data.aws_iam_policy_document.replication[0].json
}

resource "aws_s3_bucket_replication_configuration" "log" {
  for_each = module.replica

  bucket = module.bucket[each.key].id
  role   = aws_iam_role.replication[0].arn

  rule {
    id     = "dr"
    status = "Enabled"

    filter {}

    delete_marker_replication {
      status = "Disabled"
    }

    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }

    destination {
      bucket        = each.value.arn
      storage_class = "GLACIER_IR"

      encryption_configuration {
        replica_kms_key_id = module.dr_key.arn
      }
    }
  }
}
