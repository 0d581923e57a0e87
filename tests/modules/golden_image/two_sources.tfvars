resource_group_name   = "avd-dev-rg"
location              = "eastus"
gallery_name          = "avd_golden_images"
image_definition_name = "avd-win11-m365"
image_template_name   = "avd-golden-image-template"
# Two sources at once, and a purchase plan without the marketplace source.
source_image_version_id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/base-rg/providers/Microsoft.Compute/galleries/base_images/images/win11-base/versions/1.0.0"
source_managed_image_id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/base-rg/providers/Microsoft.Compute/images/win11-base"
base_image_sku          = "win11-23h2-avd-m365"
base_image_plan         = { name = "p", product = "o", publisher = "x" }
