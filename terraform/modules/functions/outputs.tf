output "function_names" {
  description = "Function names by role (wiki, mcp, platform)."
  value       = { for k, f in aws_lambda_function.this : k => f.function_name }
}

output "function_arns" {
  description = "Unqualified function ARNs by role."
  value       = { for k, f in aws_lambda_function.this : k => f.arn }
}

output "alias_arns" {
  description = "ARNs of the `live` aliases by role (what API Gateway and the schedules invoke)."
  value       = { for k, a in aws_lambda_alias.live : k => a.arn }
}

output "alias_invoke_arns" {
  description = "Invoke ARNs of the `live` aliases by role, for API Gateway integrations."
  value       = { for k, a in aws_lambda_alias.live : k => a.invoke_arn }
}

output "role_arns" {
  description = "Execution role ARNs by role."
  value       = { for k, r in aws_iam_role.this : k => r.arn }
}

output "log_group_names" {
  description = "CloudWatch log group names by role."
  value       = { for k, g in aws_cloudwatch_log_group.this : k => g.name }
}

output "workos_secret_arn" {
  description = "Secrets Manager secret the platform reads WorkOS credentials from (fill it once)."
  value       = aws_secretsmanager_secret.workos.arn
}
