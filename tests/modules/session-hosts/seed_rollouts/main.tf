# The seed README's session-host examples, as written (its "..." filled in): the blue/green
# pilot, the gradual rollback to an old version, and the rollback to the marketplace image.
terraform {
  required_providers {
    azurerm = { source = "hashicorp/azurerm", version = "~> 4.0" }
    azapi   = { source = "Azure/azapi", version = "~> 2.5" }
  }
}

provider "azurerm" {
  features {}
}

variable "admin_password" {
  type      = string
  sensitive = true
}

locals {
  subnet_id    = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-dev-rg/providers/Microsoft.Network/virtualNetworks/avd-dev-vnet/subnets/session-hosts"
  host_pool_id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-dev-rg/providers/Microsoft.DesktopVirtualization/hostPools/avd-dev-hostpool"
  # Every host needs these; the seed elides them as "... other settings".
  other_settings = {
    resource_group_name = "avd-dev-rg"
    location            = "eastus"
  }
}

module "golden_image" {
  source = "../../../../modules/golden_image"

  resource_group_name   = "avd-dev-rg"
  location              = "eastus"
  gallery_name          = "avd_golden_images"
  image_definition_name = "avd-win11-m365"
  image_template_name   = "avd-golden-image-template"
}

# Strategy 2, Phase 1: Deploy Pilot Session Hosts (10%)
module "session_hosts_pilot" {
  source = "../../../../modules/session-hosts"

  vm_count        = 1
  vm_name_prefix  = "avd-sh-pilot"
  source_image_id = module.golden_image.latest_image_version_reference

  # Drain mode enabled - for testing only
  allow_new_sessions = false

  resource_group_name         = local.other_settings.resource_group_name
  location                    = local.other_settings.location
  subnet_id                   = local.subnet_id
  admin_password              = var.admin_password
  host_pool_id                = local.host_pool_id
  hostpool_registration_token = "offline-registration-token"
}

# Rollback Strategy, Gradual Rollback (Controlled)
module "session_hosts_rollback" {
  source = "../../../../modules/session-hosts"

  vm_count        = 5
  vm_name_prefix  = "avd-sh-stable"
  source_image_id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-dev-rg/providers/Microsoft.Compute/galleries/avd_golden_images/images/avd-win11-m365/versions/1.0.0" # Old version

  resource_group_name         = local.other_settings.resource_group_name
  location                    = local.other_settings.location
  subnet_id                   = local.subnet_id
  admin_password              = var.admin_password
  host_pool_id                = local.host_pool_id
  hostpool_registration_token = "offline-registration-token"
}

# Rollback Strategy, Scenario 2: Marketplace Image Rollback
module "session_hosts" {
  source = "../../../../modules/session-hosts"

  # Disable custom image, use marketplace image
  use_custom_image = false

  # Marketplace image settings
  image_publisher = "MicrosoftWindowsDesktop"
  image_offer     = "office-365"
  image_sku       = "win11-22h2-avd-m365"
  image_version   = "latest"

  vm_name_prefix              = "avd-sh-mkt"
  resource_group_name         = local.other_settings.resource_group_name
  location                    = local.other_settings.location
  subnet_id                   = local.subnet_id
  admin_password              = var.admin_password
  host_pool_id                = local.host_pool_id
  hostpool_registration_token = "offline-registration-token"
}

# "Update session-hosts Module to Support Custom Images": custom_image_id with /versions/latest.
module "session_hosts_custom" {
  source = "../../../../modules/session-hosts"

  use_custom_image = true
  custom_image_id  = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-dev-rg/providers/Microsoft.Compute/galleries/avd_golden_images/images/avd-win11-m365/versions/latest"

  vm_name_prefix              = "avd-sh-custom"
  resource_group_name         = local.other_settings.resource_group_name
  location                    = local.other_settings.location
  subnet_id                   = local.subnet_id
  admin_password              = var.admin_password
  host_pool_id                = local.host_pool_id
  hostpool_registration_token = "offline-registration-token"
}

output "pilot_image" {
  value = module.session_hosts_pilot.source_image_id
}

output "rollback_image" {
  value = module.session_hosts_rollback.source_image_id
}

output "marketplace_image_source" {
  value = module.session_hosts.image_source
}

output "custom_image" {
  value = module.session_hosts_custom.source_image_id
}
