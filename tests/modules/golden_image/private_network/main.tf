# golden_image in a network and staging group of its own, with switches for what Image Builder
# refuses (test_golden_image_network.py applies it against the simulated cloud).
terraform {
  required_providers {
    azurerm = { source = "hashicorp/azurerm", version = "~> 4.0" }
    azapi   = { source = "Azure/azapi", version = "~> 2.5" }
  }
}

provider "azurerm" {
  features {}
}

provider "azapi" {}

variable "aci_subnet" {
  type    = bool
  default = true
}

variable "aci_delegated" {
  type    = bool
  default = true
}

variable "private_link_policies_enabled" {
  type    = bool
  default = false
}

variable "staging" {
  description = "create: the module creates the group; existing: an empty group made here; occupied: one with a resource in it; elsewhere: one in another region; absent: a group nobody creates."
  type        = string
  default     = "create"
}

variable "second_template" {
  description = "A second template naming the same staging group."
  type        = bool
  default     = false
}

variable "lock" {
  type    = object({ kind = string, name = optional(string) })
  default = null
}

variable "image_version" {
  type    = string
  default = "1.0.0"
}

variable "image_builder_object_id" {
  description = "Image Builder's service principal; the pretend tenant's is ...0005 (fixture.py)."
  type        = string
  default     = "00000000-0000-0000-0000-000000000005"
}

variable "error_handling" {
  type    = object({ on_customizer_error = optional(string, "cleanup"), on_validation_error = optional(string, "cleanup") })
  default = null
}

data "azurerm_client_config" "current" {}

locals {
  resource_group_id = "/subscriptions/${data.azurerm_client_config.current.subscription_id}/resourceGroups/${azurerm_resource_group.rg.name}"
  vnet_id           = "${local.resource_group_id}/providers/Microsoft.Network/virtualNetworks/${azurerm_virtual_network.images.name}"
  staging_name      = "avd-images-staging-rg"
  staging_id        = "/subscriptions/${data.azurerm_client_config.current.subscription_id}/resourceGroups/${local.staging_name}"
  # An existing group is made here first; the module's input then refers to it (for the order).
  # (the squatter's group, for "occupied": it exists before the template that would stage there).
  staging_group = var.staging == "occupied" ? one(azurerm_user_assigned_identity.squatter[*].resource_group_name) : one(azurerm_resource_group.staging[*].name)
  staging_input = contains(["existing", "occupied", "elsewhere"], var.staging) ? "/subscriptions/${data.azurerm_client_config.current.subscription_id}/resourceGroups/${local.staging_group}" : local.staging_id
}

resource "azurerm_resource_group" "rg" {
  name     = "avd-images-rg"
  location = "eastus"
}

resource "azurerm_virtual_network" "images" {
  name                = "avd-images-vnet"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
  address_space       = ["10.20.0.0/24"]
}

resource "azurerm_subnet" "build" {
  name                                          = "image-build"
  resource_group_name                           = azurerm_resource_group.rg.name
  virtual_network_name                          = azurerm_virtual_network.images.name
  address_prefixes                              = ["10.20.0.0/26"]
  private_link_service_network_policies_enabled = var.private_link_policies_enabled
}

resource "azurerm_subnet" "build_aci" {
  name                 = "image-build-aci"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.images.name
  address_prefixes     = ["10.20.0.64/27"]

  dynamic "delegation" {
    for_each = var.aci_delegated ? ["aci"] : []
    content {
      name = "image-builder-aci"
      service_delegation {
        name    = "Microsoft.ContainerInstance/containerGroups"
        actions = ["Microsoft.Network/virtualNetworks/subnets/action"]
      }
    }
  }
}

resource "azurerm_resource_group" "staging" {
  count = contains(["existing", "occupied", "elsewhere"], var.staging) ? 1 : 0

  name     = local.staging_name
  location = var.staging == "elsewhere" ? "westeurope" : "eastus"
}

resource "azurerm_user_assigned_identity" "squatter" {
  count = var.staging == "occupied" ? 1 : 0

  name                = "not-image-builder"
  resource_group_name = azurerm_resource_group.staging[0].name
  location            = azurerm_resource_group.staging[0].location
}

module "golden_image" {
  source = "../../../../modules/golden_image"

  resource_group_name   = azurerm_resource_group.rg.name
  location              = azurerm_resource_group.rg.location
  gallery_name          = "avd_private_images"
  image_definition_name = "avd-win11-m365-private"
  image_template_name   = "avd-golden-image-private"
  image_version         = var.image_version

  build_subnet_id                    = "${local.vnet_id}/subnets/${azurerm_subnet.build.name}"
  build_container_instance_subnet_id = var.aci_subnet ? "${local.vnet_id}/subnets/${azurerm_subnet.build_aci.name}" : null

  staging_resource_group_id     = var.staging == "absent" ? local.staging_id : local.staging_input
  staging_resource_group_create = var.staging == "create"
  managed_resource_tags         = { CostCenter = "avd-images" }

  image_builder_service_principal_object_id = var.image_builder_object_id

  error_handling = var.error_handling
  lock           = var.lock
}

module "second" {
  source = "../../../../modules/golden_image"
  count  = var.second_template ? 1 : 0

  resource_group_name       = azurerm_resource_group.rg.name
  location                  = azurerm_resource_group.rg.location
  gallery_name              = "avd_second_images"
  image_definition_name     = "avd-win11-m365-second"
  image_template_name       = "avd-golden-image-second"
  staging_resource_group_id = local.staging_id

  depends_on = [module.golden_image]
}
