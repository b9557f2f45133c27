resource "aws_ecs_cluster" "this" {
  name = local.name
  tags = var.tags

  setting {
    name  = "containerInsights"
    value = "enhanced"
  }
}

resource "aws_ecs_task_definition" "this" {
  family                   = local.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  tags                     = var.tags

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  lifecycle {
    precondition {
      condition     = local.feed_mode != "stream" || var.dynamodb_streams_endpoint_url != null
      error_message = "feed_mode \"stream\" needs dynamodb_streams_endpoint_url: the tasks reach DynamoDB Streams only through its interface endpoint."
    }
    precondition {
      condition     = local.feed_mode != "forwarder" || var.forwarder_package_path != null || var.forwarder_source_dir != null
      error_message = "feed_mode \"forwarder\" (or max_tasks > 2) needs the forwarder Lambda's package: forwarder_package_path (the zip infra/lambda/stream-forwarder/build.sh makes, signed) or forwarder_source_dir (its package tree)."
    }
  }

  # The index lives on the task's ephemeral volume, so every new task starts
  # empty and builds it from a table scan (NOT_SERVING until done): in stream
  # mode the stream reader's bootstrap, then it follows the stream; in
  # forwarder mode --bootstrap-table (INKDEX_BOOTSTRAP_TABLE), while it
  # already applies what the forwarder pushes.
  ephemeral_storage {
    size_in_gib = var.ephemeral_storage_gib
  }

  volume {
    name = "index"
  }

  container_definitions = jsonencode([{
    name                   = "inkdex-server"
    image                  = "${aws_ecr_repository.this.repository_url}:${var.image_tag}"
    essential              = true
    readonlyRootFilesystem = true
    user                   = "10001:10001"
    command = [
      "--index", local.index_path,
      "--listen", "0.0.0.0:${local.grpc_port}",
      "--metrics-listen", "0.0.0.0:${local.metrics_port}",
    ]
    portMappings = [
      { containerPort = local.grpc_port, protocol = "tcp", name = "grpc" },
      { containerPort = local.metrics_port, protocol = "tcp", name = "metrics" },
    ]
    # feed_mode "stream": each replica follows the table's stream itself
    # (inkdex-server --stream-table); "forwarder": the Lambda pushes batches
    # by ApplyStreamRecords, the replicas read no stream and load the table
    # once by a scan (--bootstrap-table; README "Forwarder mode").
    environment = concat(
      [
        { name = "AWS_REGION", value = data.aws_region.current.region },
        { name = "INKDEX_TOMBSTONE_TTL", value = "${var.tombstone_ttl_hours}h" },
        # Key metrics as embedded-metric-format lines in the log, which
        # CloudWatch Logs turns into Inkdex-namespace metrics (the stream-lag,
        # request-error and commit-failure alarms read them); README
        # "Metrics in CloudWatch".
        { name = "INKDEX_EMF_INTERVAL", value = "${var.emf_interval_seconds}s" },
        { name = "INKDEX_EMF_DIMENSIONS", value = "ClusterName=${local.name}" },
      ],
      local.feed_mode == "stream" ? [{ name = "INKDEX_STREAM_TABLE", value = var.table_name }] : [],
      local.feed_mode == "stream" ? [{ name = "INKDEX_DYNAMODB_STREAMS_ENDPOINT", value = var.dynamodb_streams_endpoint_url }] : [],
      # A task that runs for long re-syncs from the table when its slot
      # drift has grown this much (0: never; README "An index fed for long").
      local.feed_mode == "stream" ? [{ name = "INKDEX_RESYNC_AT_SLOT_DRIFT", value = tostring(var.resync_at_slot_drift) }] : [],
      local.feed_mode == "forwarder" ? [{ name = "INKDEX_BOOTSTRAP_TABLE", value = var.table_name }] : [],
      # A task that runs for long renumbers its index while serving when
      # its slot drift reaches this (0: never), in either feed mode.
      [{ name = "INKDEX_RENUMBER_ONLINE_AT_DRIFT", value = tostring(var.renumber_online_at_drift) }],
    )
    secrets = [
      { name = "INKDEX_WRITE_TOKEN", valueFrom = aws_secretsmanager_secret.write_token.arn },
    ]
    mountPoints = [{ sourceVolume = "index", containerPath = "/var/lib/inkdex", readOnly = false }]
    healthCheck = {
      command     = ["CMD", "curl", "-fsS", "http://127.0.0.1:${local.metrics_port}/healthz"]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = var.health_check_grace_seconds
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = data.aws_region.current.region
        awslogs-stream-prefix = "inkdex"
      }
    }
  }])
}

resource "aws_ecs_service" "this" {
  name                              = "inkdex-server"
  cluster                           = aws_ecs_cluster.this.id
  task_definition                   = aws_ecs_task_definition.this.arn
  desired_count                     = var.min_tasks
  launch_type                       = "FARGATE"
  platform_version                  = "LATEST"
  health_check_grace_period_seconds = var.health_check_grace_seconds
  propagate_tags                    = "SERVICE"
  enable_execute_command            = false
  tags                              = var.tags

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.grpc.arn
    container_name   = "inkdex-server"
    container_port   = local.grpc_port
  }

  service_registries {
    registry_arn = aws_service_discovery_service.this.arn
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  lifecycle {
    ignore_changes = [desired_count]
  }

  depends_on = [aws_lb_listener.grpc]
}

# ---------------------------------------------------------------- autoscaling
resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min_tasks
  max_capacity       = var.max_tasks
}

resource "aws_appautoscaling_policy" "scale" {
  for_each = {
    cpu = {
      metric = "ECSServiceAverageCPUUtilization"
      target = var.cpu_target_percent
      label  = null
    }
    requests = {
      metric = "ALBRequestCountPerTarget"
      target = var.requests_per_task_target
      label  = "${aws_lb.this.arn_suffix}/${aws_lb_target_group.grpc.arn_suffix}"
    }
  }

  name               = "${local.name}-${each.key}"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  resource_id        = aws_appautoscaling_target.this.resource_id
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = each.value.target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = each.value.metric
      resource_label         = each.value.label
    }
  }
}

# ---------------------------------------------------------------- forwarder
module "forwarder" {
  source = "../stream-consumer"
  count  = local.use_forwarder ? 1 : 0

  name                    = "${local.name}-stream-forwarder"
  description             = "Reads the table's stream once and pushes each change to every inkdex replica."
  source_dir              = var.forwarder_source_dir
  package_path            = var.forwarder_package_path
  table_arn               = var.table_arn
  stream_arn              = var.stream_arn
  subnet_ids              = var.private_subnet_ids
  security_group_ids      = [aws_security_group.forwarder.id]
  kms_key_arn             = var.secrets_kms_key_arn
  logs_kms_key_arn        = var.logs_kms_key_arn
  decrypt_kms_key_arns    = [var.table_kms_key_arn, var.secrets_kms_key_arn]
  code_signing_config_arn = var.code_signing_config_arn
  maximum_retry_attempts  = var.forwarder_max_retries
  log_retention_days      = var.log_retention_days
  tags                    = var.tags

  # Replicas from Cloud Map's API (DiscoverInstances, HealthStatus=ALL), not
  # its DNS name: the DNS answer leaves out unhealthy tasks, among them a new
  # one still scanning the table, which must get every change meanwhile. The
  # call goes to data-servicediscovery.<region>: the networking module's
  # interface endpoint for it (service_discovery_endpoint).
  environment = {
    INKDEX_DISCOVERY_NAMESPACE   = aws_service_discovery_private_dns_namespace.this.name
    INKDEX_DISCOVERY_SERVICE     = aws_service_discovery_service.this.name
    INKDEX_GRPC_PORT             = tostring(local.grpc_port)
    INKDEX_WRITE_TOKEN_SECRET_ID = aws_secretsmanager_secret.write_token.arn
  }

  extra_policy_statements = [
    {
      sid       = "WriteToken"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [aws_secretsmanager_secret.write_token.arn]
    },
    {
      # DiscoverInstances has no resource type (Resource must be "*"); its
      # condition keys name the namespace and service asked about.
      sid       = "DiscoverReplicas"
      actions   = ["servicediscovery:DiscoverInstances"]
      resources = ["*"]
      conditions = [
        {
          test     = "StringEquals"
          variable = "servicediscovery:NamespaceName"
          values   = [aws_service_discovery_private_dns_namespace.this.name]
        },
        {
          test     = "StringEquals"
          variable = "servicediscovery:ServiceName"
          values   = [aws_service_discovery_service.this.name]
        },
      ]
    },
  ]
}
