terraform {
  required_version = ">= 1.10.0"

  required_providers {
    aws = {
      source                = "hashicorp/aws"
      version               = ">= 6.25.0, < 7.0.0"
      configuration_aliases = [aws.us_east_1]
    }
  }
}
