# State in S3 with native locking (use_lockfile, Terraform >= 1.10; no DynamoDB lock table).
# Settings come from a file at init: terraform init -backend-config=backend.hcl
terraform {
  backend "s3" {}
}
