# One invalid value per validated variable: each must fail with its own message (a variable with two
# validations gets a value that breaks both).
resource_group_name          = "bad/name."
location                     = "East US"
subnet_id                    = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"
vm_count                     = 0
hosts                        = { "host_1" = { image_id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/disks/host-1-osdisk" } }
vm_name_prefix               = "-avd"
zones                        = ["4"]
tags                         = { "Cost/Center" = "avd" }
gallery_image_version_id     = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d/versions/1.2"
source_image_id              = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/golden-vm"
custom_image_id              = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/snapshots/golden"
marketplace_image_reference  = { publisher = "MicrosoftWindowsDesktop", offer = "", sku = "win11-24h2-avd-m365" }
image_publisher              = ""
image_offer                  = " "
image_sku                    = ""
image_version                = "newest"
admin_username               = "Administrator"
admin_password               = "tooshort"
join_type                    = "workgroup"
domain_name                  = "corp example com"
domain_admin_username        = "CORP\\joiner"
domain_admin_password        = ""
host_pool_id                 = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.DesktopVirtualization/applicationGroups/dag"
hostpool_registration_token  = ""
registration_timeout_minutes = 2
avd_agent_dsc_url            = "http://example.com/Configuration.zip"
vm_size                      = "D4s_v5"
license_type                 = "Windows_Desktop"
os_disk_storage_account_type = "PremiumV2_LRS"
