output "api_endpoint" {
  description = "Endpoint of the HTTP API (CloudFront origin)."
  value       = aws_apigatewayv2_api.this.api_endpoint
}
