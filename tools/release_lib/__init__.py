"""tools/release: deterministic Lambda zips, upload, function update and Terraform deploys."""
