output "distribution_domain_name" {
  description = "CloudFront domain of the directory."
  value       = aws_cloudfront_distribution.this.domain_name
}
