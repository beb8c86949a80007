output "cloudfront_url" {
  description = "Public base URL (CloudFront): the web UI is <cloudfront_url>/{user}/{wiki}/."
  value       = module.edge.url
}

output "cloudfront_distribution_id" {
  description = "Distribution ID, for cache invalidations."
  value       = module.edge.distribution_id
}

output "api_url" {
  description = "HTTP API endpoint behind CloudFront (bypasses the edge check; for diagnostics)."
  value       = module.api.api_endpoint
}

output "mcp_url_pattern" {
  description = "MCP endpoint for a wiki; substitute {user} and {wiki}."
  value       = "${module.edge.url}/{user}/{wiki}/mcp"
}

output "git_url_pattern" {
  description = "git clone URL for a wiki; substitute {user} and {wiki}."
  value       = "${module.edge.url}/{user}/{wiki}.git"
}

output "auth_callback_url" {
  description = "Redirect URI to register in the WorkOS dashboard."
  value       = "${module.edge.url}/auth/callback"
}

output "artifacts_bucket" {
  description = "Bucket tools/release uploads the zips to."
  value       = module.artifacts.bucket_name
}

output "static_bucket" {
  description = "Bucket CloudFront serves /_static/* from (tools/release --static-bucket)."
  value       = module.edge.static_bucket
}

output "artifact_keys" {
  description = "Keys the functions load for this release_version."
  value       = local.artifact_keys
}

output "registry_table" {
  description = "DynamoDB registry table name."
  value       = module.registry.table_name
}

output "efs_file_system_id" {
  description = "EFS file system holding the wikis."
  value       = module.storage.file_system_id
}

output "function_names" {
  description = "Lambda function names by role."
  value       = module.functions.function_names
}

output "log_groups" {
  description = "CloudWatch log groups: one per function plus the API access log."
  value       = merge(module.functions.log_group_names, { api = module.api.access_log_group_name })
}

output "key_value_store_arn" {
  description = "CloudFront KeyValueStore holding session_key."
  value       = module.edge.key_value_store_arn
}

output "budget_name" {
  description = "Monthly AWS budget."
  value       = module.budget.budget_name
}

output "deploy_role_arn" {
  description = "Role GitHub Actions assumes to deploy this environment (null without github_repository)."
  value       = module.ci.deploy_role_arn
}

output "workos_secret_arn" {
  description = "Secrets Manager secret to fill with {\"client_id\", \"api_key\"} from the WorkOS dashboard."
  value       = module.functions.workos_secret_arn
}
