# One provider per account, each assuming the deployment role there. The
# default provider is deliberately the app account: nothing lands in the
# management account unless it says provider = aws.management.
provider "aws" {
  region = var.region

  assume_role {
    role_arn = "arn:aws:iam::${var.accounts.infrastructure}:role/${var.deploy_role_name}"
  }
}

provider "aws" {
  alias  = "management"
  region = var.region

  assume_role {
    role_arn = "arn:aws:iam::${var.accounts.management}:role/${var.deploy_role_name}"
  }
}
