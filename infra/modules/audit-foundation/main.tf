data "aws_region" "current" {}

# The audit account's keys: Firehose, security log groups and SNS alerts in the
# primary region; the WAF log destination's Firehose in us-east-1.
module "key" {
  source = "../kms-key"

  alias              = "${var.name_prefix}-audit"
  description        = "${var.name_prefix} audit"
  service_principals = ["logs.${data.aws_region.current.region}.amazonaws.com", "firehose.amazonaws.com", "events.amazonaws.com", "sns.amazonaws.com"]
  tags               = var.tags
}

module "edge_key" {
  source = "../kms-key"
  providers = {
    aws = aws.us_east_1
  }

  alias              = "${var.name_prefix}-audit-edge"
  description        = "${var.name_prefix} audit, us-east-1 (WAF log Firehose)"
  service_principals = ["logs.us-east-1.amazonaws.com", "firehose.amazonaws.com"]
  tags               = var.tags
}

resource "aws_iam_account_password_policy" "this" {
  minimum_password_length        = 16
  require_symbols                = true
  require_numbers                = true
  require_uppercase_characters   = true
  require_lowercase_characters   = true
  allow_users_to_change_password = true
  password_reuse_prevention      = 24
  max_password_age               = 90
}
