# Issue 11, items 1-3 and 8, all on: an isolated private build (build subnet + container instance
# subnet), a module-created tagged staging group, error handling, boot optimization, in-VM
# validations, a lock and a role assignment on the template.
resource_group_name                = "avd-dev-rg"
location                           = "eastus"
gallery_name                       = "avd_golden_images"
image_definition_name              = "avd-win11-m365"
image_template_name                = "avd-golden-image-template"
build_subnet_id                    = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-network-rg/providers/Microsoft.Network/virtualNetworks/avd-vnet/subnets/image-build"
build_container_instance_subnet_id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-network-rg/providers/Microsoft.Network/virtualNetworks/avd-vnet/subnets/image-build-aci"
staging_resource_group_id          = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-image-staging-rg"
staging_resource_group_create      = true
managed_resource_tags              = { CostCenter = "avd-images" }
# Image Builder's own service principal in the pretend tenant (generator/offline/fixture.py).
image_builder_service_principal_object_id = "00000000-0000-0000-0000-000000000005"
tags                               = { Owner = "platform" }
error_handling                     = { on_customizer_error = "abort" }
optimize_vm_boot                   = true
validation = {
  continue_distribute_on_failure = false
  in_vm_validations = [
    {
      name   = "fslogix-installed"
      inline = ["if (-not (Test-Path 'C:\\Program Files\\FSLogix\\Apps\\frx.exe')) { throw 'FSLogix is missing' }"]
    },
    {
      name       = "baseline"
      script_uri = "https://yourstorageaccount.blob.core.windows.net/scripts/Test-Baseline.ps1"
      sha256     = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
    },
  ]
}
lock = { kind = "CanNotDelete" }
role_assignments = {
  pipeline = {
    role_definition_id_or_name = "Reader"
    principal_id               = "11111111-1111-1111-1111-111111111111"
    principal_type             = "ServicePrincipal"
  }
}
