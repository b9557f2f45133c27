# The root configuration that infra/environments/dev and prod link to: each
# of those folders holds symlinks to these files plus its own values
# (env.auto.tfvars, committed), account ids (terraform.tfvars) and state
# location (backend.hcl). Run terraform in dev/ or prod/, never here.
terraform {
  required_version = ">= 1.10.0"

  # Partial config: terraform init -backend-config=backend.hcl
  backend "s3" {}

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.25.0, < 7.0.0"
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
