output "config_rule_names" {
  description = "Names of the Config rules."
  value       = [for r in aws_config_config_rule.managed : r.name]
}

output "access_analyzer_arn" {
  description = "Organization access analyzer."
  value       = aws_accessanalyzer_analyzer.org.arn
}
