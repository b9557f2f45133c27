# Audit account: Config rules that check the platform's own promises, and an
# organization-wide IAM Access Analyzer.
resource "aws_config_config_rule" "managed" {
  for_each = toset(var.managed_rules)

  name = "${var.name_prefix}-${lower(replace(each.key, "_", "-"))}"
  tags = var.tags

  source {
    owner             = "AWS"
    source_identifier = each.key
  }
}

resource "aws_accessanalyzer_analyzer" "org" {
  analyzer_name = "${var.name_prefix}-org"
  type          = "ORGANIZATION"
  tags          = var.tags
}
