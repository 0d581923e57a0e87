# One root for the Azure rules tests (test_azure_rules.py): each variable turns on the resources
# of one rule, so the workspace is initialised once.
terraform {
  required_providers {
    azurerm = { source = "hashicorp/azurerm", version = "~> 4.0" }
    azapi   = { source = "Azure/azapi", version = "~> 2.5" }
  }
}

provider "azurerm" {
  features {}
}

variable "template_build_timeout" {
  type    = number
  default = null # null: no template
}

variable "duplicate_role_assignments" {
  type    = bool
  default = false
}

variable "update_session_host" {
  type    = bool
  default = false
}

variable "patch_session_host" {
  type    = bool
  default = false
}

locals {
  rg_id        = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rules-rg"
  host_pool_id = "${local.rg_id}/providers/Microsoft.DesktopVirtualization/hostPools/rules-hp"
}

# A template without the module's care: every change is an update, which azapi sends as a PUT.
resource "azapi_resource" "template" {
  count     = var.template_build_timeout == null ? 0 : 1
  type      = "Microsoft.VirtualMachineImages/imageTemplates@2024-02-01"
  name      = "rules-template"
  parent_id = local.rg_id
  location  = "eastus"

  identity {
    type         = "UserAssigned"
    identity_ids = ["${local.rg_id}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/rules-id"]
  }

  body = {
    properties = {
      buildTimeoutInMinutes = var.template_build_timeout
      source                = { type = "PlatformImage", publisher = "MicrosoftWindowsDesktop", offer = "office-365", sku = "win11-24h2-avd-m365", version = "latest" }
      distribute = [{
        type           = "SharedImage"
        runOutputName  = "rules"
        galleryImageId = "${local.rg_id}/providers/Microsoft.Compute/galleries/g/images/i"
      }]
    }
  }
}

resource "azurerm_role_assignment" "twice" {
  count                = var.duplicate_role_assignments ? 2 : 0
  scope                = local.rg_id
  role_definition_name = "Reader"
  principal_id         = "11111111-1111-1111-1111-111111111111"
}

# What the session-hosts module did before issue 10: GET, merge, strip read-only fields, PUT.
resource "azapi_update_resource" "host" {
  count     = var.update_session_host ? 1 : 0
  type      = "Microsoft.DesktopVirtualization/hostPools/sessionHosts@2024-04-03"
  parent_id = local.host_pool_id
  name      = "rules-host"
  body      = { properties = { allowNewSession = false } }
}

resource "azapi_resource_action" "host" {
  count       = var.patch_session_host ? 1 : 0
  type        = "Microsoft.DesktopVirtualization/hostPools/sessionHosts@2024-04-03"
  resource_id = "${local.host_pool_id}/sessionHosts/rules-host"
  method      = "PATCH"
  body        = { properties = { allowNewSession = false } }
}

variable "delete_session_host_on_destroy" {
  type    = bool
  default = false
}

variable "copy_version_from" {
  type    = string
  default = null # null: no copied version
}

resource "azapi_resource_action" "forget_host" {
  count       = var.delete_session_host_on_destroy ? 1 : 0
  type        = "Microsoft.DesktopVirtualization/hostPools/sessionHosts@2024-04-03"
  resource_id = "${local.host_pool_id}/sessionHosts/rules-host"
  method      = "DELETE"
  when        = "destroy"
}

resource "azapi_resource" "copied_version" {
  count     = var.copy_version_from == null ? 0 : 1
  type      = "Microsoft.Compute/galleries/images/versions@2024-03-03"
  name      = "1.0.0"
  parent_id = "${local.rg_id}/providers/Microsoft.Compute/galleries/prod/images/win11"
  location  = "eastus"
  body = {
    properties = {
      storageProfile = { source = { id = var.copy_version_from } }
    }
  }
}
