output "api_function_arn" {
  description = "API Lambda."
  value       = aws_lambda_function.api.arn
}

output "api_invoke_arn" {
  description = "Invoke ARN of the API Lambda."
  value       = aws_lambda_function.api.invoke_arn
}

output "api_security_group_id" {
  description = "Security group of the API Lambdas (allowed by inkdex and OpenSearch)."
  value       = aws_security_group.api.id
}

output "scrape_queue_arn" {
  description = "Scraping job queue."
  value       = aws_sqs_queue.scrape.arn
}

output "scrape_queue_url" {
  description = "Scraping job queue URL."
  value       = aws_sqs_queue.scrape.url
}

output "scrape_state_machine_arn" {
  description = "Step Functions state machine of a scrape run."
  value       = aws_sfn_state_machine.scrape.arn
}

output "scrapers_cluster_name" {
  description = "ECS cluster of the Fargate scrapers."
  value       = aws_ecs_cluster.scrapers.name
}
