# Who may talk to inkdex: the API Lambdas and the forwarder, through the
# internal load balancer; the forwarder also directly to each task (it must
# reach every replica). Nothing else.
resource "aws_security_group" "lb" {
  name        = "${local.name}-lb"
  description = "inkdex internal load balancer"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_security_group" "tasks" {
  name        = "${local.name}-tasks"
  description = "inkdex-server tasks"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_security_group" "forwarder" {
  name        = "${local.name}-forwarder"
  description = "inkdex stream forwarder Lambda"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "lb_from_clients" {
  for_each = toset(concat(var.client_security_group_ids, [aws_security_group.forwarder.id]))

  security_group_id            = aws_security_group.lb.id
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "gRPC over TLS from an allowed client"
}

resource "aws_vpc_security_group_egress_rule" "lb_to_tasks" {
  security_group_id            = aws_security_group.lb.id
  referenced_security_group_id = aws_security_group.tasks.id
  ip_protocol                  = "tcp"
  from_port                    = local.grpc_port
  to_port                      = local.grpc_port
  description                  = "gRPC and health checks to the tasks"
}

resource "aws_vpc_security_group_ingress_rule" "tasks_from" {
  for_each = {
    lb        = aws_security_group.lb.id
    forwarder = aws_security_group.forwarder.id
  }

  security_group_id            = aws_security_group.tasks.id
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = local.grpc_port
  to_port                      = local.grpc_port
  description                  = "gRPC from the ${each.key}"
}

# Tasks and forwarder reach AWS only through the VPC endpoints: HTTPS to the
# VPC (interface endpoints) and to the S3/DynamoDB gateway prefix lists.
resource "aws_vpc_security_group_egress_rule" "https_vpc" {
  for_each = { tasks = aws_security_group.tasks.id, forwarder = aws_security_group.forwarder.id }

  security_group_id = each.value
  cidr_ipv4         = var.vpc_cidr
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "HTTPS to interface endpoints"
}

resource "aws_vpc_security_group_egress_rule" "https_gateways" {
  for_each = {
    for pair in setproduct(["tasks", "forwarder"], var.gateway_prefix_list_ids) : "${pair[0]}-${pair[1]}" => pair
  }

  security_group_id = each.value[0] == "tasks" ? aws_security_group.tasks.id : aws_security_group.forwarder.id
  prefix_list_id    = each.value[1]
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "HTTPS to S3/DynamoDB gateway endpoints"
}

# Interface endpoints in the endpoints group (networking module) with no
# gateway alternative: the tasks reach DynamoDB Streams (stream mode; the
# gateway endpoint above does not serve streams.dynamodb.<region>;
# INKDEX_DYNAMODB_STREAMS_ENDPOINT), the forwarder Cloud Map's
# DiscoverInstances (data-servicediscovery.<region>).
resource "aws_vpc_security_group_egress_rule" "to_endpoints" {
  for_each = {
    tasks     = { group = aws_security_group.tasks.id, endpoint = "DynamoDB Streams" }
    forwarder = { group = aws_security_group.forwarder.id, endpoint = "Cloud Map discovery" }
  }

  security_group_id            = each.value.group
  referenced_security_group_id = var.endpoints_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "HTTPS to the ${each.value.endpoint} interface endpoint"
}

moved {
  from = aws_vpc_security_group_egress_rule.tasks_to_streams_endpoint
  to   = aws_vpc_security_group_egress_rule.to_endpoints["tasks"]
}

resource "aws_vpc_security_group_egress_rule" "forwarder_to_tasks" {
  security_group_id            = aws_security_group.forwarder.id
  referenced_security_group_id = aws_security_group.tasks.id
  ip_protocol                  = "tcp"
  from_port                    = local.grpc_port
  to_port                      = local.grpc_port
  description                  = "gRPC writes to every replica"
}

resource "aws_lb" "this" {
  name                       = substr("${local.name}-int", 0, 32)
  internal                   = true
  load_balancer_type         = "application"
  subnets                    = var.private_subnet_ids
  security_groups            = [aws_security_group.lb.id]
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  tags                       = var.tags

  access_logs {
    bucket  = var.access_logs_bucket
    prefix  = "inkdex-lb"
    enabled = var.access_logs_bucket != null
  }
}

resource "aws_lb_target_group" "grpc" {
  name                 = substr("${local.name}-grpc", 0, 32)
  port                 = local.grpc_port
  protocol             = "HTTP"
  protocol_version     = "GRPC"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = 30
  tags                 = var.tags

  health_check {
    enabled             = true
    path                = "/grpc.health.v1.Health/Check"
    matcher             = "0"
    protocol            = "HTTP"
    interval            = 10
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "grpc" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn
  tags              = var.tags

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.grpc.arn
  }
}

# Service discovery: one A record per task, for the forwarder's fan-out.
resource "aws_service_discovery_private_dns_namespace" "this" {
  name        = var.discovery_namespace
  description = "inkdex replicas"
  vpc         = var.vpc_id
  tags        = var.tags
}

resource "aws_service_discovery_service" "this" {
  name = "inkdex"
  tags = var.tags

  dns_config {
    namespace_id   = aws_service_discovery_private_dns_namespace.this.id
    routing_policy = "MULTIVALUE"

    dns_records {
      type = "A"
      ttl  = 10
    }
  }

  health_check_custom_config {
    failure_threshold = 1
  }
}
