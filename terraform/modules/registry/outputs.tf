output "table_name" {
  description = "Registry table name (WIKIBOT_REGISTRY=dynamodb://<table_name>)."
  value       = aws_dynamodb_table.this.name
}

output "table_arn" {
  description = "Registry table ARN; its indexes are \"<table_arn>/index/*\"."
  value       = aws_dynamodb_table.this.arn
}

output "kms_key_arn" {
  description = "ARN of the customer managed KMS key encrypting the table."
  value       = aws_kms_key.dynamodb.arn
}
