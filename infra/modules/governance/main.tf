# Management account: service control policies on the organization's OUs.
resource "aws_organizations_policy" "guardrails" {
  name        = "${var.name_prefix}-guardrails"
  description = "Deny leaving the organization, disabling security services, and regions outside the allowed list"
  type        = "SERVICE_CONTROL_POLICY"
  tags        = var.tags
  content = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "NoLeave", Effect = "Deny", Action = ["organizations:LeaveOrganization"], Resource = "*" },
      {
        Sid      = "KeepSecurityOn"
        Effect   = "Deny"
        Action   = ["guardduty:DeleteDetector", "securityhub:DisableSecurityHub", "config:StopConfigurationRecorder", "cloudtrail:StopLogging", "cloudtrail:DeleteTrail"]
        Resource = "*"
      },
      {
        Sid       = "AllowedRegions"
        Effect    = "Deny"
        NotAction = ["iam:*", "organizations:*", "sts:*", "cloudfront:*", "route53:*", "support:*", "budgets:*", "wafv2:*", "acm:*"]
        Resource  = "*"
        Condition = { StringNotEquals = { "aws:RequestedRegion" = var.allowed_regions } }
      },
    ]
  })
}

resource "aws_organizations_policy_attachment" "guardrails" {
  for_each = toset(var.target_ou_ids)

  policy_id = aws_organizations_policy.guardrails.id
  target_id = each.value
}

# AWS Backup may copy recovery points between the organization's accounts
# (app account -> log archive vaults).
resource "aws_backup_global_settings" "this" {
  global_settings = {
    "isCrossAccountBackupEnabled" = "true"
  }
}
