# WAF for CloudFront (CLOUDFRONT scope lives in us-east-1) and the app's secrets.
resource "aws_wafv2_web_acl" "this" {
  provider = aws.us_east_1

  name  = "${var.name_prefix}-edge"
  scope = "CLOUDFRONT"
  tags  = var.tags

  default_action {
    allow {}
  }

  rule {
    name     = "aws-common"
    priority = 10

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "aws-common"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "rate-limit"
    priority = 20

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit              = var.rate_limit_per_5min
        aggregate_key_type = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "rate-limit"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.name_prefix}-edge"
    sampled_requests_enabled   = true
  }
}

# WAF logs: a log group named aws-waf-logs-*, subscribed to the audit
# account's log destination (Firehose → log archive bucket).
resource "aws_cloudwatch_log_group" "waf" {
  provider = aws.us_east_1

  name              = "aws-waf-logs-${var.name_prefix}"
  retention_in_days = 30
  kms_key_id        = var.waf_logs_kms_key_arn
  tags              = var.tags
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  provider = aws.us_east_1

  resource_arn            = aws_wafv2_web_acl.this.arn
  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]
}

resource "aws_cloudwatch_log_subscription_filter" "waf" {
  provider = aws.us_east_1

  name            = "to-log-archive"
  log_group_name  = aws_cloudwatch_log_group.waf.name
  filter_pattern  = ""
  destination_arn = var.waf_log_destination_arn
}

resource "aws_secretsmanager_secret" "app" {
  for_each = toset(var.secret_names)

  name        = "${var.name_prefix}/${each.key}"
  description = "${each.key} for the directory (value set out of band)"
  kms_key_id  = var.secrets_kms_key_arn
  tags        = var.tags
}
