# App account: the API Lambda (here) and the scraping pipeline (scrapers.tf).
data "aws_region" "current" {}

resource "aws_security_group" "api" {
  name        = "${var.name_prefix}-api-lambda"
  description = "API Lambdas"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_egress_rule" "api_https" {
  security_group_id = aws_security_group.api.id
  cidr_ipv4         = var.vpc_cidr
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "HTTPS to endpoints, inkdex and OpenSearch in the VPC"
}

resource "aws_lambda_function" "api" {
  function_name           = "${var.name_prefix}-api"
  role                    = var.role_arns["api"]
  runtime                 = "python3.12"
  handler                 = "app.handler"
  filename                = var.api_package_path
  source_code_hash        = filebase64sha256(var.api_package_path)
  code_signing_config_arn = var.code_signing_config_arn
  kms_key_arn             = var.kms_key_arn
  timeout                 = 10
  tags                    = var.tags

  environment {
    # Which backend to query (inkdex wins under "both"; OpenSearch stays warm for comparison).
    variables = merge({ TABLE_NAME = var.table_name, SEARCH_BACKEND = var.search_backend }, var.search_environment)
  }

  vpc_config {
    subnet_ids         = var.private_subnet_ids
    security_group_ids = [aws_security_group.api.id]
  }

  tracing_config {
    mode = "Active"
  }
}
