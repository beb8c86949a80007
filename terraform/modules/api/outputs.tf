output "api_id" {
  description = "ID of the HTTP API."
  value       = aws_apigatewayv2_api.this.id
}

output "api_endpoint" {
  description = "Invoke URL of the API's $default stage (https://<id>.execute-api.<region>.amazonaws.com), the CloudFront origin."
  value       = aws_apigatewayv2_api.this.api_endpoint
}

output "execution_arn" {
  description = "Execution ARN, for further Lambda permissions."
  value       = aws_apigatewayv2_api.this.execution_arn
}

output "route_keys" {
  description = "Route keys and the function each one reaches."
  value       = local.routes
}

output "access_log_group_name" {
  description = "CloudWatch log group receiving the access logs."
  value       = aws_cloudwatch_log_group.access.name
}
