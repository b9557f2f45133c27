data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

locals {
  name = "${var.name_prefix}-inkdex"
  # DynamoDB Streams allows at most two concurrent readers per shard, so each
  # replica reads the stream itself only while there can be at most two of
  # them; beyond that the forwarder Lambda reads it once and pushes every
  # change to every replica found through service discovery.
  use_forwarder = var.feed_mode == "forwarder" || var.max_tasks > 2
  feed_mode     = local.use_forwarder ? "forwarder" : "stream"
  index_path    = "/var/lib/inkdex/index"
  grpc_port     = 50051
  metrics_port  = 9464
}

# ---------------------------------------------------------------- image
resource "aws_ecr_repository" "this" {
  name                 = local.name
  image_tag_mutability = "IMMUTABLE"
  tags                 = var.tags

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.ecr_kms_key_arn
  }

  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the last ${var.images_to_keep} images"
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = var.images_to_keep }
      action       = { type = "expire" }
    }]
  })
}

# ---------------------------------------------------------------- write token
resource "random_password" "write_token" {
  length  = 48
  special = false
}

resource "aws_secretsmanager_secret" "write_token" {
  name        = "${local.name}/write-token"
  description = "Bearer token for inkdex-server's write RPCs (forwarder and admin tools)."
  kms_key_id  = var.secrets_kms_key_arn
  tags        = var.tags
}

resource "aws_secretsmanager_secret_version" "write_token" {
  secret_id     = aws_secretsmanager_secret.write_token.id
  secret_string = random_password.write_token.result
}

# ---------------------------------------------------------------- logs
resource "aws_cloudwatch_log_group" "this" {
  name              = "/ecs/${local.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_kms_key_arn
  tags              = var.tags
}
