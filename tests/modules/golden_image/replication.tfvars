# The seed's "Regional Images": location repeated in replication_regions is deduplicated.
resource_group_name                = "avd-global-rg"
location                           = "westeurope"
gallery_name                       = "avd_golden_images"
image_definition_name              = "avd-win11-global"
image_template_name                = "avd-golden-image-global"
replication_regions                = ["westeurope", "northeurope", "uksouth", "northeurope"]
replica_count                      = 3
gallery_image_storage_account_type = "Standard_ZRS"
