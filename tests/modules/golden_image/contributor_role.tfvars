# The seed's Contributor-on-resource-group, opted into.
resource_group_name      = "avd-dev-rg"
location                 = "eastus"
gallery_name             = "avd_golden_images"
image_definition_name    = "avd-win11-m365"
image_template_name      = "avd-golden-image-template"
contributor_role_enabled = true
