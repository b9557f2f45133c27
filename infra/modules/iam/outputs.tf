output "role_arns" {
  description = "ARN of each workload role: api, scrape-machine, scrape-scheduler, scraper-task, scraper-execution."
  value       = { for k, r in aws_iam_role.this : k => r.arn }
}

output "api_role_arn" {
  description = "Role of the API Lambdas."
  value       = aws_iam_role.this["api"].arn
}
