# A paid marketplace source: its purchase plan goes into source.planInfo.
resource_group_name   = "avd-dev-rg"
location              = "eastus"
gallery_name          = "avd_golden_images"
image_definition_name = "avd-win11-m365"
image_template_name   = "avd-golden-image-template"
base_image_publisher  = "center-for-internet-security-inc"
base_image_offer      = "cis-windows-11-l1"
base_image_sku        = "cis-windows-11-l1-gen2"
base_image_plan = {
  name      = "cis-windows-11-l1-gen2"
  product   = "cis-windows-11-l1"
  publisher = "center-for-internet-security-inc"
}
