terraform {
  required_version = ">= 1.10.0"

  required_providers {
    # aws: the infrastructure (app) account, primary region. Every other
    # account and region comes in as an alias from the environment.
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.25.0, < 7.0.0"
      configuration_aliases = [
        aws.us_east_1,
        aws.management,
        aws.audit,
        aws.audit_us_east_1,
        aws.log_archive,
        aws.log_archive_dr,
      ]
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.7.0, < 4.0.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = ">= 2.7.0, < 3.0.0"
    }
  }
}
