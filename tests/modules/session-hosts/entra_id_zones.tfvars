resource_group_name         = "avd-dev-rg"
location                    = "eastus"
subnet_id                   = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-dev-rg/providers/Microsoft.Network/virtualNetworks/avd-dev-vnet/subnets/session-hosts"
host_pool_id                = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-dev-rg/providers/Microsoft.DesktopVirtualization/hostPools/avd-dev-hostpool"
hostpool_registration_token = "offline-registration-token"
vm_count                    = 3
vm_name_prefix              = "avd-sh"
zones                       = ["1", "2"]
