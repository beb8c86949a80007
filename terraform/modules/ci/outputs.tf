output "deploy_role_arn" {
  description = "Role for aws-actions/configure-aws-credentials (role-to-assume); null when disabled."
  value       = local.enabled ? aws_iam_role.this[0].arn : null
}

output "trusted_subject" {
  description = "The only OIDC `sub` claim the role accepts."
  value       = local.enabled ? local.subject : null
}

output "oidc_provider_arn" {
  description = "ARN of the account's GitHub Actions OIDC provider."
  value       = local.provider_arn
}
