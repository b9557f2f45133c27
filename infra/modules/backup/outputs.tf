output "archive_vault_arn" {
  description = "Archive vault in the log archive account."
  value       = aws_backup_vault.archive.arn
}

output "archive_dr_vault_arn" {
  description = "Archive vault in the DR region."
  value       = aws_backup_vault.archive_dr.arn
}

output "plan_id" {
  description = "Backup plan of the app account."
  value       = aws_backup_plan.this.id
}
