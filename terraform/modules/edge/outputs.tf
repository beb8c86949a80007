output "distribution_id" {
  description = "CloudFront distribution ID (for cache invalidations)."
  value       = aws_cloudfront_distribution.this.id
}

output "domain_name" {
  description = "The distribution's CloudFront domain name (point DNS aliases here)."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "url" {
  description = "Public base URL: the first alias if any, else the CloudFront domain."
  value       = local.custom_domain ? "https://${trimprefix(var.aliases[0], "*.")}" : "https://${aws_cloudfront_distribution.this.domain_name}"
}

output "function_arn" {
  description = "ARN of the session-check CloudFront Function."
  value       = aws_cloudfront_function.session_check.arn
}

output "key_value_store_arn" {
  description = "ARN of the KeyValueStore holding `session_key`."
  value       = aws_cloudfront_key_value_store.this.arn
}

output "static_bucket" {
  description = "S3 bucket served at /_static/* (tools/release --static-bucket)."
  value       = aws_s3_bucket.static.id
}

output "static_bucket_arn" {
  description = "ARN of the static bucket (the deploy role uploads to it)."
  value       = aws_s3_bucket.static.arn
}
