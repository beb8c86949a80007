output "cloudfront_url" {
  description = "Public base URL (CloudFront): the web UI is <cloudfront_url>/{user}/{wiki}/."
  value       = module.platform.cloudfront_url
}

output "cloudfront_distribution_id" {
  description = "Distribution ID, for cache invalidations."
  value       = module.platform.cloudfront_distribution_id
}

output "api_url" {
  description = "HTTP API endpoint behind CloudFront (bypasses the edge check; for diagnostics)."
  value       = module.platform.api_url
}

output "mcp_url_pattern" {
  description = "MCP endpoint for a wiki; substitute {user} and {wiki}."
  value       = module.platform.mcp_url_pattern
}

output "git_url_pattern" {
  description = "git clone URL for a wiki; substitute {user} and {wiki}."
  value       = module.platform.git_url_pattern
}

output "auth_callback_url" {
  description = "Redirect URI to register in the WorkOS dashboard."
  value       = module.platform.auth_callback_url
}

output "artifacts_bucket" {
  description = "Bucket tools/release uploads the zips to."
  value       = module.platform.artifacts_bucket
}

output "static_bucket" {
  description = "Bucket CloudFront serves /_static/* from (tools/release --static-bucket)."
  value       = module.platform.static_bucket
}

output "artifact_keys" {
  description = "Keys the functions load for this release_version."
  value       = module.platform.artifact_keys
}

output "registry_table" {
  description = "DynamoDB registry table name."
  value       = module.platform.registry_table
}

output "efs_file_system_id" {
  description = "EFS file system holding the wikis."
  value       = module.platform.efs_file_system_id
}

output "function_names" {
  description = "Lambda function names by role."
  value       = module.platform.function_names
}

output "log_groups" {
  description = "CloudWatch log groups: one per function plus the API access log."
  value       = module.platform.log_groups
}

output "key_value_store_arn" {
  description = "CloudFront KeyValueStore holding session_key."
  value       = module.platform.key_value_store_arn
}

output "budget_name" {
  description = "Monthly AWS budget."
  value       = module.platform.budget_name
}

output "deploy_role_arn" {
  description = "Role GitHub Actions assumes to deploy this environment (AWS_DEPLOY_ROLE_ARN in the GitHub environment)."
  value       = module.platform.deploy_role_arn
}
