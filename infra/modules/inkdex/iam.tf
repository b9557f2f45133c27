data "aws_iam_policy_document" "ecs_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

# Execution role: pull the image, write logs, inject the write token.
resource "aws_iam_role" "execution" {
  name               = "${local.name}-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "PullImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    resources = [aws_ecr_repository.this.arn]
  }

  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  statement {
    sid       = "WriteToken"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.write_token.arn]
  }

  statement {
    sid       = "Decrypt"
    actions   = ["kms:Decrypt"]
    resources = [var.secrets_kms_key_arn, var.ecr_kms_key_arn]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# Task role: exactly the scan that builds the index and, in stream mode, the
# stream reads that keep it current. Nothing else on the table.
resource "aws_iam_role" "task" {
  name               = "${local.name}-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "task" {
  statement {
    sid       = "ScanTable"
    actions   = ["dynamodb:DescribeTable", "dynamodb:Scan"]
    resources = [var.table_arn]
  }

  dynamic "statement" {
    for_each = local.use_forwarder ? [] : [1]
    content {
      sid     = "ReadStream"
      actions = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
      # Every stream of the table: re-enabling the stream gives it a new ARN,
      # which inkdex-server follows (after a re-sync) without a redeploy.
      resources = ["${var.table_arn}/stream/*"]
    }
  }

  statement {
    sid       = "DecryptTable"
    actions   = ["kms:Decrypt"]
    resources = [var.table_kms_key_arn]
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "table-read"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}
