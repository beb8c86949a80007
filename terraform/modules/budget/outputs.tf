output "budget_name" {
  description = "Name of the monthly budget."
  value       = aws_budgets_budget.this.name
}

output "limit_usd" {
  description = "Monthly limit in USD."
  value       = var.limit_usd
}
