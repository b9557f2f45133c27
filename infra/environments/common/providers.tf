# One provider per account and region, each assuming the deployment role in
# its account. The default provider is the infrastructure (app) account:
# nothing reaches the management account unless mapped to aws.management.
locals {
  role_arns = { for name, id in var.accounts : name => "arn:aws:iam::${id}:role/${var.deploy_role_name}" }
}

provider "aws" {
  region = var.region

  assume_role {
    role_arn = local.role_arns.infrastructure
  }
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  assume_role {
    role_arn = local.role_arns.infrastructure
  }
}

provider "aws" {
  alias  = "management"
  region = var.region

  assume_role {
    role_arn = local.role_arns.management
  }
}

provider "aws" {
  alias  = "audit"
  region = var.region

  assume_role {
    role_arn = local.role_arns.audit
  }
}

provider "aws" {
  alias  = "audit_us_east_1"
  region = "us-east-1"

  assume_role {
    role_arn = local.role_arns.audit
  }
}

provider "aws" {
  alias  = "log_archive"
  region = var.region

  assume_role {
    role_arn = local.role_arns.log_archive
  }
}

provider "aws" {
  alias  = "log_archive_dr"
  region = var.dr_region

  assume_role {
    role_arn = local.role_arns.log_archive
  }
}
