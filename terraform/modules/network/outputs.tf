output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "availability_zones" {
  description = "Availability zones in use, in subnet order."
  value       = local.azs
}

output "public_subnet_ids" {
  description = "Public subnet IDs, one per AZ."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnet IDs, one per AZ: the VPC Lambdas and EFS mount targets live here."
  value       = aws_subnet.private[*].id
}

output "private_route_table_ids" {
  description = "Private route table IDs (the DynamoDB and S3 gateway endpoints are attached to these)."
  value       = aws_route_table.private[*].id
}

output "lambda_security_group_id" {
  description = "Security group for the VPC Lambdas."
  value       = aws_security_group.lambda.id
}

output "efs_security_group_id" {
  description = "Security group for the EFS mount targets."
  value       = aws_security_group.efs.id
}
