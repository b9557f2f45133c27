locals {
  lb_dimensions = { LoadBalancer = aws_lb.this.arn_suffix, TargetGroup = aws_lb_target_group.grpc.arn_suffix }
  # Stream lag: the forwarder's IteratorAge, or in stream mode the replicas'
  # own gauge inkdex_stream_max_lag_seconds (it grows while a shard cannot be
  # read), which each task writes to its log as an embedded-metric-format
  # line every emf_interval_seconds (INKDEX_EMF_INTERVAL, service.tf) and
  # CloudWatch Logs extracts into the Inkdex namespace, dimension
  # ClusterName; Maximum is the most lagging task.
  inkdex_dimensions = { ClusterName = aws_ecs_cluster.this.name }
  stream_lag = local.use_forwarder ? {
    namespace  = "AWS/Lambda"
    metric     = "IteratorAge"
    dimensions = { FunctionName = module.forwarder[0].function_name }
    threshold  = var.stream_lag_alarm_seconds * 1000
    } : {
    namespace  = "Inkdex"
    metric     = "inkdex_stream_max_lag_seconds"
    dimensions = local.inkdex_dimensions
    threshold  = var.stream_lag_alarm_seconds
  }
  alarms = {
    stream-lag = {
      description = "inkdex is more than ${var.stream_lag_alarm_seconds}s behind the table's stream"
      namespace   = local.stream_lag.namespace
      metric      = local.stream_lag.metric
      dimensions  = local.stream_lag.dimensions
      statistic   = "Maximum"
      extended    = null
      threshold   = local.stream_lag.threshold
    }
    p99-latency = {
      description = "inkdex p99 response time above ${var.p99_latency_alarm_ms} ms"
      namespace   = "AWS/ApplicationELB"
      metric      = "TargetResponseTime"
      dimensions  = local.lb_dimensions
      statistic   = null
      extended    = "p99"
      threshold   = var.p99_latency_alarm_ms / 1000
    }
    target-5xx = {
      description = "inkdex tasks answered 5xx"
      namespace   = "AWS/ApplicationELB"
      metric      = "HTTPCode_Target_5XX_Count"
      dimensions  = local.lb_dimensions
      statistic   = "Sum"
      extended    = null
      threshold   = var.error_alarm_count
    }
    # The index lives on the task's ephemeral volume; inkdex-server refuses
    # writes once less than --min-free-disk-mb (128 MiB) is free on it (and
    # a re-sync needs room for a second index beside the first). Container
    # Insights' Fargate metric, in GB, per service; Maximum is the fullest
    # task. To verify on AWS: that the metric carries the ServiceName
    # dimension at this Container Insights level.
    disk-space = {
      description = "An inkdex task's ephemeral volume is over 80 % full: writes stop at 128 MiB free, and a re-sync needs room for a second index"
      namespace   = "ECS/ContainerInsights"
      metric      = "EphemeralStorageUtilized"
      dimensions  = { ClusterName = aws_ecs_cluster.this.name, ServiceName = aws_ecs_service.this.name }
      statistic   = "Maximum"
      extended    = null
      threshold   = var.ephemeral_storage_gib * 0.8
    }
    # gRPC answers a failed call in HTTP 200 with a grpc-status trailer, so
    # the load balancer's 5xx counts miss the server's own faults and its
    # overload: the tasks count them (INTERNAL, UNKNOWN, DATA_LOSS,
    # UNAVAILABLE, RESOURCE_EXHAUSTED), summed over tasks.
    request-errors = {
      description = "inkdex answered more than ${var.error_alarm_count} calls a minute with a server fault or overload (INTERNAL, UNAVAILABLE, RESOURCE_EXHAUSTED, ...): see the tasks' error log lines"
      namespace   = "Inkdex"
      metric      = "inkdex_request_errors"
      dimensions  = local.inkdex_dimensions
      statistic   = "Sum"
      extended    = null
      threshold   = var.error_alarm_count
    }
    # A failed group commit fails every write in it (the callers see the
    # error; the stream reader retries), so any is worth a look.
    commit-failures = {
      description = "inkdex group commits failed (disk full or failing, or the index refused them): see the tasks' commit_failed log lines"
      namespace   = "Inkdex"
      metric      = "inkdex_commit_failures"
      dimensions  = local.inkdex_dimensions
      statistic   = "Sum"
      extended    = null
      threshold   = 0
    }
    # Lines dropped because the task's log driver stopped taking them
    # (inkdex-server never waits for its log): the log, and the metrics these
    # alarms read from it, had a gap. Reported once logs flow again.
    log-lines-dropped = {
      description = "inkdex dropped log lines: its log driver stopped taking them (CloudWatch Logs throttled or unreachable?), so logs and EMF metrics have a gap: see the tasks' log_lines_dropped lines"
      namespace   = "Inkdex"
      metric      = "inkdex_log_lines_dropped"
      dimensions  = local.inkdex_dimensions
      statistic   = "Sum"
      extended    = null
      threshold   = 0
    }
    lb-5xx = {
      description = "inkdex load balancer answered 5xx (no healthy task?)"
      namespace   = "AWS/ApplicationELB"
      metric      = "HTTPCode_ELB_5XX_Count"
      dimensions  = { LoadBalancer = aws_lb.this.arn_suffix }
      statistic   = "Sum"
      extended    = null
      threshold   = var.error_alarm_count
    }
  }
  # Slots out of cell order slow text-in-region searches (README "An index
  # fed for long"); Maximum is the most drifted task. The index lives on the
  # task's ephemeral volume, so the remedy is new tasks (a new deployment):
  # each bootstraps from a table scan, in cell order. 0: no alarm.
  drift_alarms = var.slot_drift_alarm > 0 ? {
    slot-drift = {
      description = "An inkdex task's index has more than ${var.slot_drift_alarm * 100} % of its artists' slots out of cell order: text-in-region searches are slowing; a new deployment (aws ecs update-service --force-new-deployment) replaces the tasks with ones whose indexes are built from the table in cell order"
      namespace   = "Inkdex"
      metric      = "inkdex_index_slot_layout_drift"
      dimensions  = local.inkdex_dimensions
      statistic   = "Maximum"
      extended    = null
      threshold   = var.slot_drift_alarm
    }
  } : {}
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = merge(local.alarms, local.drift_alarms)

  alarm_name          = "${local.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  extended_statistic  = each.value.extended
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_topic_arn]
  ok_actions          = [var.alarm_topic_arn]
  tags                = var.tags
}

# The other Inkdex-namespace alarms stay OK when their metrics are missing,
# so this one says when they are: no task's metrics line reached CloudWatch
# for 5 minutes (every task down, its log not shipped, or CloudWatch Logs not
# extracting embedded metrics from awslogs events in this Region, which is
# to be verified on AWS: README.md, "Still to verify on AWS").
resource "aws_cloudwatch_metric_alarm" "no_metrics" {
  count = var.emf_interval_seconds > 0 ? 1 : 0

  alarm_name          = "${local.name}-no-metrics"
  alarm_description   = "No inkdex task has published its metrics for 5 minutes: the tasks are down, or their embedded-metric log lines are not becoming Inkdex metrics (then the stream-lag, request-errors and commit-failures alarms are blind)"
  namespace           = "Inkdex"
  metric_name         = "inkdex_documents"
  dimensions          = local.inkdex_dimensions
  statistic           = "SampleCount"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = [var.alarm_topic_arn]
  ok_actions          = [var.alarm_topic_arn]
  tags                = var.tags
}

# Forwarder mode only. Both fire on any datapoint: each is a change some
# replica may not have.
locals {
  forwarder_alarms = local.use_forwarder ? {
    failures = {
      description = "Stream records the forwarder gave up on are waiting in its on-failure queue"
      namespace   = "AWS/SQS"
      metric      = "ApproximateNumberOfMessagesVisible"
      dimensions  = { QueueName = module.forwarder[0].on_failure_queue_name }
      statistic   = "Maximum"
    }
    # The forwarder's embedded metric (handler.py): records a replica Cloud
    # Map reports UNHEALTHY (bootstrapping, or failing its health check)
    # failed. They do not fail the batch, so a replica that misses them
    # while scanning and then turns healthy serves those artists stale.
    unhealthy-replica-misses = {
      description = "A replica Cloud Map reports unhealthy missed pushed changes; if it turns healthy it serves them stale: stop the task at the address in the forwarder's unhealthy_replica_missed log (ECS starts one that rescans the table)"
      namespace   = "Inkdex/Forwarder"
      metric      = "UnhealthyReplicaRecordsMissed"
      dimensions  = { FunctionName = module.forwarder[0].function_name }
      statistic   = "Sum"
    }
  } : {}
}

resource "aws_cloudwatch_metric_alarm" "forwarder" {
  for_each = local.forwarder_alarms

  alarm_name          = "${local.name}-forwarder-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_topic_arn]
  tags                = var.tags
}

moved {
  from = aws_cloudwatch_metric_alarm.forwarder_failures[0]
  to   = aws_cloudwatch_metric_alarm.forwarder["failures"]
}
