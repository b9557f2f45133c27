# Audit account: high-severity findings to an encrypted SNS topic.
resource "aws_sns_topic" "security" {
  name              = "${var.name_prefix}-security-alerts"
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alert_emails)

  topic_arn = aws_sns_topic.security.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_cloudwatch_event_rule" "findings" {
  for_each = {
    guardduty   = { source = ["aws.guardduty"], detail-type = ["GuardDuty Finding"], detail = { severity = [{ numeric = [">=", 7] }] } }
    securityhub = { source = ["aws.securityhub"], detail-type = ["Security Hub Findings - Imported"], detail = { findings = { Severity = { Label = ["HIGH", "CRITICAL"] } } } }
  }

  name          = "${var.name_prefix}-${each.key}-high"
  description   = "High-severity ${each.key} findings"
  event_pattern = jsonencode(each.value)
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "findings" {
  for_each = aws_cloudwatch_event_rule.findings

  rule = each.value.name
  arn  = aws_sns_topic.security.arn
}

resource "aws_sns_topic_policy" "security" {
  arn = aws_sns_topic.security.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sns:Publish"
      Principal = { Service = "events.amazonaws.com" }
      Resource  = aws_sns_topic.security.arn
      Condition = { ArnEquals = { "aws:SourceArn" = [for r in aws_cloudwatch_event_rule.findings : r.arn] } }
    }]
  })
}
