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

resource "aws_backup_vault_policy" "archive" {
  provider = aws.vault

  backup_vault_name = aws_backup_vault.archive.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "backup:CopyIntoBackupVault"
      Principal = { AWS = "*" }
      Resource  = "*"
      Condition = { StringEquals = { "aws:PrincipalOrgID" = var.organization_id } }
    }]
  })
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

resource "aws_iam_role" "backup" {
  name = "${var.name_prefix}-backup"
  tags = var.tags
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "backup.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy_attachment" "backup" {
  role       = aws_iam_role.backup.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
}

resource "aws_backup_selection" "this" {
  name         = "${var.name_prefix}-resources"
  plan_id      = aws_backup_plan.this.id
  iam_role_arn = aws_iam_role.backup.arn
  resources    = var.resource_arns
}
