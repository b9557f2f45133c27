data "aws_partition" "current" {}

# Vaults in the log archive account (primary and DR region), and the app
# account's plan that backs up the table and copies each recovery point there.
resource "aws_backup_vault" "archive" {
  provider = aws.vault

  name        = "${var.name_prefix}-archive"
  kms_key_arn = var.vault_kms_key_arn
  tags        = var.tags
}

resource "aws_backup_vault" "archive_dr" {
  provider = aws.vault_dr

  name        = "${var.name_prefix}-archive-dr"
  kms_key_arn = var.vault_dr_kms_key_arn
  tags        = var.tags
}

resource "aws_backup_vault_lock_configuration" "archive" {
  provider = aws.vault

  backup_vault_name  = aws_backup_vault.archive.name
  min_retention_days = 7
  max_retention_days = var.retention_days
}

# Any account of the organization may copy recovery points into the vaults.
data "aws_iam_policy_document" "vault" {
  statement {
    actions   = ["backup:CopyIntoBackupVault"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = [var.organization_id]
    }
  }
}

resource "aws_backup_vault_policy" "archive" {
  provider = aws.vault

  backup_vault_name = aws_backup_vault.archive.name
  policy            = data.aws_iam_policy_document.vault.json
}

resource "aws_backup_vault_policy" "archive_dr" {
  provider = aws.vault_dr

  backup_vault_name = aws_backup_vault.archive_dr.name
  policy            = data.aws_iam_policy_document.vault.json
}

# Cross-account copies of DynamoDB backups need its advanced backup features.
resource "aws_backup_region_settings" "this" {
  resource_type_opt_in_preference = {
    "DynamoDB" = true
  }

  resource_type_management_preference = {
    "DynamoDB" = true
  }
}

resource "aws_backup_vault" "local" {
  name        = "${var.name_prefix}-local"
  kms_key_arn = var.local_kms_key_arn
  tags        = var.tags
}

resource "aws_backup_plan" "this" {
  name = "${var.name_prefix}-daily"
  tags = var.tags

  rule {
    rule_name         = "daily"
    target_vault_name = aws_backup_vault.local.name
    schedule          = "cron(0 3 * * ? *)"

    lifecycle {
      delete_after = 35
    }

    # Cross-account copy to the log archive, and from the same rule on to its DR-region vault.
    copy_action {
      destination_vault_arn = aws_backup_vault.archive.arn

      lifecycle {
        delete_after = var.retention_days
      }
    }

    copy_action {
      destination_vault_arn = aws_backup_vault.archive_dr.arn

      lifecycle {
        delete_after = var.retention_days
      }
    }
  }
}

data "aws_iam_policy_document" "backup_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["backup.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "backup" {
  name               = "${var.name_prefix}-backup"
  assume_role_policy = data.aws_iam_policy_document.backup_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "backup" {
  role       = aws_iam_role.backup.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
}

resource "aws_backup_selection" "this" {
  name         = "${var.name_prefix}-resources"
  plan_id      = aws_backup_plan.this.id
  iam_role_arn = aws_iam_role.backup.arn
  resources    = var.resource_arns
}
