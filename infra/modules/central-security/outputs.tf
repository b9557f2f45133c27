output "guardduty_detector_id" {
  description = "GuardDuty detector of the audit account."
  value       = aws_guardduty_detector.this.id
}

output "config_recorder_name" {
  description = "AWS Config recorder."
  value       = aws_config_configuration_recorder.this.name
}
