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
