output "guardrails_policy_id" {
  description = "Service control policy id."
  value       = aws_organizations_policy.guardrails.id
}
