output "file_system_id" {
  description = "ID of the EFS file system."
  value       = aws_efs_file_system.this.id
}

output "file_system_arn" {
  description = "ARN of the EFS file system (the resource in the Lambdas' ClientMount/ClientWrite grants)."
  value       = aws_efs_file_system.this.arn
}

output "access_point_arn" {
  description = "ARN of the /wikibot access point the Lambdas mount."
  value       = aws_efs_access_point.this.arn
}

output "mount_target_ids" {
  description = "Mount target IDs; Lambdas must not be created before these exist."
  value       = aws_efs_mount_target.this[*].id
}

output "kms_key_arn" {
  description = "ARN of the customer managed KMS key encrypting the file system."
  value       = aws_kms_key.efs.arn
}
