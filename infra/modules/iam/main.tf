# App account: every workload role, built from one table of services and
# least-privilege statements. Resource ARNs follow the names compute and
# search give their resources, so the roles need nothing from those modules.
data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  p       = data.aws_partition.current.partition
  at      = "${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}"
  queue   = "arn:${local.p}:sqs:${local.at}:${var.name_prefix}-scrape"
  machine = "arn:${local.p}:states:${local.at}:stateMachine:${var.name_prefix}-scrape"
  family  = "arn:${local.p}:ecs:${local.at}:task-definition/${var.name_prefix}-scraper:*"
  cluster = "arn:${local.p}:ecs:${local.at}:cluster/${var.name_prefix}-scrapers"
  domain  = "arn:${local.p}:es:${local.at}:domain/${var.name_prefix}-search"
  managed = "arn:${local.p}:iam::aws:policy/service-role"
  role    = "arn:${local.p}:iam::${data.aws_caller_identity.current.account_id}:role/${var.name_prefix}"

  roles = {
    # API Lambdas: read the table, query the chosen backend.
    api = {
      service = "lambda.amazonaws.com"
      managed = ["${local.managed}/AWSLambdaVPCAccessExecutionRole"]
      statements = concat([
        { sid = "ReadTable", actions = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"], resources = [var.table_arn, "${var.table_arn}/index/*"] },
        { sid = "Decrypt", actions = ["kms:Decrypt"], resources = [var.data_kms_key_arn] },
        ], var.opensearch_enabled ? [
        { sid = "QueryOpenSearch", actions = ["es:ESHttpGet", "es:ESHttpPost"], resources = ["${local.domain}/*"] },
      ] : [])
    }
    # Step Functions: run the scraper tasks and wait for them (.sync).
    scrape-machine = {
      service = "states.amazonaws.com"
      managed = []
      statements = [
        { sid = "RunTasks", actions = ["ecs:RunTask"], resources = [local.family] },
        { sid = "WatchTasks", actions = ["ecs:StopTask", "ecs:DescribeTasks"], resources = ["arn:${local.p}:ecs:${local.at}:task/${var.name_prefix}-scrapers/*"] },
        { sid = "PassTaskRoles", actions = ["iam:PassRole"], resources = ["${local.role}-scraper-task", "${local.role}-scraper-execution"] },
        { sid = "SyncRule", actions = ["events:PutTargets", "events:PutRule", "events:DescribeRule"], resources = ["arn:${local.p}:events:${local.at}:rule/StepFunctionsGetEventsForECSTaskRule"] },
        { sid = "Logs", actions = ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"], resources = ["*"] },
      ]
    }
    # EventBridge Scheduler: start the scrape state machine.
    scrape-scheduler = {
      service    = "scheduler.amazonaws.com"
      managed    = []
      statements = [{ sid = "Start", actions = ["states:StartExecution"], resources = [local.machine] }]
    }
    # Fargate scrapers: take jobs from the queue, write artists to the table.
    scraper-task = {
      service = "ecs-tasks.amazonaws.com"
      managed = []
      statements = [
        { sid = "Jobs", actions = ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"], resources = [local.queue] },
        { sid = "WriteTable", actions = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:BatchWriteItem"], resources = [var.table_arn] },
        { sid = "Keys", actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = [var.data_kms_key_arn, var.queue_kms_key_arn] },
        { sid = "Secrets", actions = ["secretsmanager:GetSecretValue"], resources = length(var.scraper_secret_arns) > 0 ? var.scraper_secret_arns : ["arn:${local.p}:secretsmanager:${local.at}:secret:${var.name_prefix}/scraper/*"] },
      ]
    }
    # ECS agent for the scrapers: pull the image, write logs.
    scraper-execution = {
      service    = "ecs-tasks.amazonaws.com"
      managed    = ["${local.managed}/AmazonECSTaskExecutionRolePolicy"]
      statements = [{ sid = "EcrKey", actions = ["kms:Decrypt"], resources = [var.ecr_kms_key_arn] }]
    }
  }
  attachments = merge([for r, v in local.roles : { for m in v.managed : "${r} ${m}" => { role = r, arn = m } }]...)
}

data "aws_iam_policy_document" "assume" {
  for_each = local.roles

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = [each.value.service]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = local.roles

  name               = "${var.name_prefix}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.assume[each.key].json
  tags               = var.tags
}

data "aws_iam_policy_document" "this" {
  for_each = local.roles

  dynamic "statement" {
    for_each = each.value.statements
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}

resource "aws_iam_role_policy" "this" {
  for_each = local.roles

  name   = each.key
  role   = aws_iam_role.this[each.key].id
  policy = data.aws_iam_policy_document.this[each.key].json
}

resource "aws_iam_role_policy_attachment" "managed" {
  for_each = local.attachments

  role       = aws_iam_role.this[each.value.role].name
  policy_arn = each.value.arn
}
