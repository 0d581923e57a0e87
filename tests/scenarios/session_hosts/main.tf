# A host pool with its registration token and session hosts from the marketplace image, with
# drain mode as a variable: the smallest root that registers hosts (tests/scenarios).
terraform {
  required_providers {
    azurerm = { source = "hashicorp/azurerm", version = "~> 4.0" }
    azapi   = { source = "Azure/azapi", version = "~> 2.5" }
    time    = { source = "hashicorp/time", version = "~> 0.13" }
  }
}

provider "azurerm" {
  features {}
}

variable "admin_password" {
  type      = string
  sensitive = true
}

variable "domain_admin_password" {
  type      = string
  sensitive = true
}

variable "allow_new_sessions" {
  type    = bool
  default = true
}

variable "vm_count" {
  type    = number
  default = 2
}

resource "azurerm_resource_group" "this" {
  name     = "avd-scenario-rg"
  location = "eastus"
}

resource "azurerm_virtual_desktop_host_pool" "this" {
  name                = "avd-scenario-hostpool"
  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_resource_group.this.location
  type                = "Pooled"
  load_balancer_type  = "BreadthFirst"
}

resource "time_rotating" "registration" {
  rotation_days = 7
}

resource "azurerm_virtual_desktop_host_pool_registration_info" "this" {
  hostpool_id     = azurerm_virtual_desktop_host_pool.this.id
  expiration_date = timeadd(time_rotating.registration.rotation_rfc3339, "48h")
}

module "session_hosts" {
  source = "../../../modules/session-hosts"

  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_resource_group.this.location
  subnet_id           = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-scenario-rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/hosts"
  vm_count            = var.vm_count
  vm_name_prefix      = "avd-sc"
  admin_password      = var.admin_password

  host_pool_id                = azurerm_virtual_desktop_host_pool.this.id
  hostpool_registration_token = azurerm_virtual_desktop_host_pool_registration_info.this.token
  allow_new_sessions          = var.allow_new_sessions
}

output "host_pool_id" {
  value = azurerm_virtual_desktop_host_pool.this.id
}
