# Two golden_image instances (the seed's dev/prod tiers) publishing into one gallery.
terraform {
  required_providers {
    azurerm = { source = "hashicorp/azurerm", version = "~> 4.0" }
    azapi   = { source = "Azure/azapi", version = "~> 2.5" }
  }
}

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "rg" {
  name     = "avd-images-rg"
  location = "eastus"
}

module "golden_image_dev" {
  source = "../../../../modules/golden_image"

  resource_group_name   = azurerm_resource_group.rg.name
  location              = azurerm_resource_group.rg.location
  gallery_name          = "avd_golden_images"
  image_definition_name = "avd-win11-dev"
  image_template_name   = "avd-golden-image-dev"
  exclude_from_latest   = true
  chocolatey_packages   = ["googlechrome", "vscode", "git"]
}

module "golden_image_prod" {
  source = "../../../../modules/golden_image"

  resource_group_name   = azurerm_resource_group.rg.name
  location              = azurerm_resource_group.rg.location
  gallery_name          = "avd_golden_images"
  existing_gallery_id   = module.golden_image_dev.gallery_id
  image_definition_name = "avd-win11-prod"
  image_template_name   = "avd-golden-image-prod"
  chocolatey_packages   = ["googlechrome", "adobereader"]
}

output "dev_gallery_id" {
  value = module.golden_image_dev.gallery_id
}

output "prod_gallery_id" {
  value = module.golden_image_prod.gallery_id
}

output "prod_image_version_id" {
  value = module.golden_image_prod.image_version_id
}
