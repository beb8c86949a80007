# A VPC with no NAT gateway and no interface endpoints: the VPC Lambdas reach only EFS and,
# through free gateway endpoints, DynamoDB and S3. Anything needing the internet runs outside
# the VPC (the platform Lambda).

data "aws_region" "current" {}

data "aws_availability_zones" "available" {
  #checkov:skip=CKV_AWS_394:The first az_count available zones are wanted; subnets pin the chosen names.
  state = "available"
}

locals {
  azs = slice(data.aws_availability_zones.available.names, 0, var.az_count)
}

resource "aws_vpc" "this" {
  #checkov:skip=CKV2_AWS_11:Flow logs cost CloudWatch ingestion at rest; enable when investigating.
  cidr_block           = var.cidr_block
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge({ Name = var.name }, var.tags)
}

# Adopt the default security group and leave it with no rules, so nothing can use it by accident.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge({ Name = "${var.name}-default-unused" }, var.tags)
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge({ Name = var.name }, var.tags)
}

resource "aws_subnet" "public" {
  count = var.az_count

  vpc_id                  = aws_vpc.this.id
  availability_zone       = local.azs[count.index]
  cidr_block              = cidrsubnet(var.cidr_block, 8, count.index)
  map_public_ip_on_launch = false

  tags = merge({ Name = "${var.name}-public-${local.azs[count.index]}", tier = "public" }, var.tags)
}

resource "aws_subnet" "private" {
  count = var.az_count

  vpc_id            = aws_vpc.this.id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.cidr_block, 8, 100 + count.index)

  tags = merge({ Name = "${var.name}-private-${local.azs[count.index]}", tier = "private" }, var.tags)
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  tags = merge({ Name = "${var.name}-public" }, var.tags)
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  count = var.az_count

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

# One private route table per AZ (no default route): the gateway endpoints attach here.
resource "aws_route_table" "private" {
  count = var.az_count

  vpc_id = aws_vpc.this.id

  tags = merge({ Name = "${var.name}-private-${local.azs[count.index]}" }, var.tags)
}

resource "aws_route_table_association" "private" {
  count = var.az_count

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

# Gateway endpoints are free; interface endpoints would cost ~$7/month per AZ each.
resource "aws_vpc_endpoint" "gateway" {
  for_each = toset(["dynamodb", "s3"])

  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${data.aws_region.current.region}.${each.key}"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = aws_route_table.private[*].id

  tags = merge({ Name = "${var.name}-${each.key}" }, var.tags)
}

resource "aws_security_group" "lambda" {
  #checkov:skip=CKV2_AWS_5:Attached by the functions module (vpc_config), which checkov cannot follow here.
  name        = "${var.name}-lambda"
  description = "wikibot VPC Lambdas: egress to EFS and the DynamoDB/S3 gateway endpoints only"
  vpc_id      = aws_vpc.this.id

  tags = merge({ Name = "${var.name}-lambda" }, var.tags)
}

resource "aws_security_group" "efs" {
  #checkov:skip=CKV2_AWS_5:Attached by the storage module (mount targets), which checkov cannot follow here.
  name        = "${var.name}-efs"
  description = "wikibot EFS mount targets: NFS from the Lambda security group only"
  vpc_id      = aws_vpc.this.id

  tags = merge({ Name = "${var.name}-efs" }, var.tags)
}

resource "aws_vpc_security_group_ingress_rule" "efs_from_lambda" {
  security_group_id            = aws_security_group.efs.id
  description                  = "NFS from wikibot Lambdas"
  ip_protocol                  = "tcp"
  from_port                    = 2049
  to_port                      = 2049
  referenced_security_group_id = aws_security_group.lambda.id

  tags = merge({ Name = "${var.name}-efs-from-lambda" }, var.tags)
}

resource "aws_vpc_security_group_egress_rule" "lambda_to_efs" {
  security_group_id            = aws_security_group.lambda.id
  description                  = "NFS to EFS mount targets"
  ip_protocol                  = "tcp"
  from_port                    = 2049
  to_port                      = 2049
  referenced_security_group_id = aws_security_group.efs.id

  tags = merge({ Name = "${var.name}-lambda-to-efs" }, var.tags)
}

resource "aws_vpc_security_group_egress_rule" "lambda_to_endpoints" {
  for_each = aws_vpc_endpoint.gateway

  security_group_id = aws_security_group.lambda.id
  description       = "HTTPS to ${each.key} through its gateway endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = each.value.prefix_list_id

  tags = merge({ Name = "${var.name}-lambda-to-${each.key}" }, var.tags)
}
