# The data aggregation pipeline: EventBridge Scheduler starts a Step Functions
# state machine that runs the Fargate scrapers (discover, then N workers that
# drain the SQS job queue and write artists to the table).
resource "aws_sqs_queue" "scrape_dlq" {
  name                      = "${var.name_prefix}-scrape-dlq"
  kms_master_key_id         = var.kms_key_arn
  message_retention_seconds = 1209600
  tags                      = var.tags
}

resource "aws_sqs_queue" "scrape" {
  name                       = "${var.name_prefix}-scrape"
  kms_master_key_id          = var.kms_key_arn
  visibility_timeout_seconds = 900
  tags                       = var.tags

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.scrape_dlq.arn
    maxReceiveCount     = 5
  })
}

resource "aws_security_group" "scrapers" {
  name        = "${var.name_prefix}-scrapers"
  description = "Fargate scrapers: HTTPS out (sources via NAT, AWS via endpoints)"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_egress_rule" "scrapers_https" {
  security_group_id = aws_security_group.scrapers.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "HTTPS to the sources and the AWS endpoints"
}

resource "aws_cloudwatch_log_group" "scrapers" {
  for_each = toset(["ecs", "states"])

  name              = "/${each.key}/${var.name_prefix}-scrape"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_kms_key_arn
  tags              = var.tags
}

resource "aws_ecs_cluster" "scrapers" {
  name = "${var.name_prefix}-scrapers"
  tags = var.tags

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_task_definition" "scraper" {
  family                   = "${var.name_prefix}-scraper"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 512
  memory                   = 1024
  execution_role_arn       = var.role_arns["scraper-execution"]
  task_role_arn            = var.role_arns["scraper-task"]
  tags                     = var.tags

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([{
    name                   = "scraper"
    image                  = var.scraper_image
    essential              = true
    readonlyRootFilesystem = true
    user                   = "10001:10001"
    environment = [
      { name = "TABLE_NAME", value = var.table_name },
      { name = "QUEUE_URL", value = aws_sqs_queue.scrape.url },
    ]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.scrapers["ecs"].name
        awslogs-region        = data.aws_region.current.region
        awslogs-stream-prefix = "scraper"
      }
    }
  }])
}

locals {
  run_task = {
    LaunchType     = "FARGATE"
    Cluster        = aws_ecs_cluster.scrapers.arn
    TaskDefinition = aws_ecs_task_definition.scraper.arn
    NetworkConfiguration = {
      AwsvpcConfiguration = {
        Subnets        = var.private_subnet_ids
        SecurityGroups = [aws_security_group.scrapers.id]
        AssignPublicIp = "DISABLED"
      }
    }
  }
  task_retry = [{ ErrorEquals = ["States.TaskFailed"], IntervalSeconds = 60, MaxAttempts = 2, BackoffRate = 2 }]
}

resource "aws_sfn_state_machine" "scrape" {
  name     = "${var.name_prefix}-scrape"
  role_arn = var.role_arns["scrape-machine"]
  tags     = var.tags

  definition = jsonencode({
    Comment = "Discover artists to refresh, then drain the job queue with parallel Fargate scrapers."
    StartAt = "Discover"
    States = {
      Discover = {
        Type     = "Task"
        Resource = "arn:aws:states:::ecs:runTask.sync"
        Parameters = merge(local.run_task, {
          Overrides = { ContainerOverrides = [{ Name = "scraper", Command = ["discover"] }] }
        })
        Retry = local.task_retry
        Next  = "Scrape"
      }
      Scrape = {
        Type           = "Map"
        ItemsPath      = "$.workers"
        MaxConcurrency = var.scraper_workers
        ItemProcessor = {
          ProcessorConfig = { Mode = "INLINE" }
          StartAt         = "Worker"
          States = {
            Worker = {
              Type     = "Task"
              Resource = "arn:aws:states:::ecs:runTask.sync"
              Parameters = merge(local.run_task, {
                Overrides = { ContainerOverrides = [{ Name = "scraper", Command = ["work"] }] }
              })
              Retry = local.task_retry
              End   = true
            }
          }
        }
        ResultPath = null
        End        = true
      }
    }
  })

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.scrapers["states"].arn}:*"
    include_execution_data = false
    level                  = "ERROR"
  }

  tracing_configuration {
    enabled = true
  }
}

resource "aws_scheduler_schedule" "scrape" {
  name                         = "${var.name_prefix}-scrape"
  schedule_expression          = var.scrape_schedule
  schedule_expression_timezone = "UTC"
  kms_key_arn                  = var.kms_key_arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_sfn_state_machine.scrape.arn
    role_arn = var.role_arns["scrape-scheduler"]
    input    = jsonencode({ workers = range(var.scraper_workers) })

    retry_policy {
      maximum_retry_attempts = 3
    }
  }
}
