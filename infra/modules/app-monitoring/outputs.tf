output "alarm_topic_arn" {
  description = "SNS topic every app alarm notifies."
  value       = aws_sns_topic.alarms.arn
}
