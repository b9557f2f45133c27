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

data "aws_iam_policy_document" "security" {
  statement {
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.security.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [for r in aws_cloudwatch_event_rule.findings : r.arn]
    }
  }
}

resource "aws_sns_topic_policy" "security" {
  arn    = aws_sns_topic.security.arn
  policy = data.aws_iam_policy_document.security.json
}
