output "api_role_arn" {
  description = "Role of the API Lambdas."
  value       = aws_iam_role.api.arn
}
