output "rule_arns" {
  description = "EventBridge rule ARNs by job (warm, jwks)."
  value       = { for k, r in aws_cloudwatch_event_rule.this : k => r.arn }
}

output "targets" {
  description = "Which job invokes which function, keyed \"<job>-<function>\"."
  value       = { for k, t in local.targets : k => t.function }
}
