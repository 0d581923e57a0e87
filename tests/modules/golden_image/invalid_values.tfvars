# One invalid value per validated variable: each must fail with its own message.
resource_group_name                = "bad/name."
location                           = "East US"
gallery_name                       = "avd-golden-images"
image_definition_name              = "-bad-"
image_template_name                = "bad name"
image_version                      = "1.1.0-beta"
image_versioning                   = "auto"
base_image_publisher               = " "
base_image_offer                   = ""
base_image_sku                     = ""
base_image_version                 = "newest"
hyper_v_generation                 = "V3"
image_publisher                    = "My Company"
image_offer                        = "bad offer"
image_sku                          = "bad sku"
existing_gallery_id                = "/subscriptions/x/galleries/y"
powershell_modules                 = ["Az; Remove-Item C:\\ -Recurse"]
inline_scripts                     = { "bad key" = [] }
script_uris                        = { "install" = "http://insecure.example.com/x.ps1" }
chocolatey_packages                = ["7zip & calc.exe"]
replication_regions                = ["West US 2"]
replica_count                      = 11
storage_account_type               = "Premium_ZRS"
gallery_image_storage_account_type = "Standard_GRS"
build_timeout_minutes              = 3
vm_size                            = "D4s_v5"
build_vm_size                      = "large"
os_disk_size_gb                    = 5000
run_output_name                    = "bad name"
rbac_propagation_seconds           = 2.5
copied_versions                    = { "1.2" = { source_version_id = "/subscriptions/x/images/i/versions/1.2.0" } }
tags                               = { "Cost/Center" = "avd" }
# Issue 11: private builds, the staging group, error handling, validate, the AVM interfaces.
build_subnet_id                    = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet"
build_container_instance_subnet_id = "subnet-aci"
build_proxy_vm_size                = "A1_v2"
staging_resource_group_id          = "avd-image-staging-rg"
managed_resource_tags              = { "Cost?Center" = "avd" }
image_builder_service_principal_object_id = "cf32a0cc"
error_handling                     = { on_customizer_error = "keep" }
validation = {
  in_vm_validations = [
    { name = "bad name", inline = ["exit 0"], script_uri = "https://example.com/t.ps1" },
    { name = "insecure", script_uri = "http://example.com/t.ps1", sha256 = "not-a-checksum" },
  ]
}
lock             = { kind = "None" }
role_assignments = { x = { role_definition_id_or_name = "Reader", principal_id = "1", principal_type = "Robot", condition = "c" } }
