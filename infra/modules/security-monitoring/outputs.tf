output "topic_arn" {
  description = "SNS topic of security alerts."
  value       = aws_sns_topic.security.arn
}
