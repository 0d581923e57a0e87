# The seed's date-based versioning, and a test build kept out of "latest".
resource_group_name   = "avd-dev-rg"
location              = "eastus"
gallery_name          = "avd_golden_images"
image_definition_name = "avd-win11-m365-dev"
image_template_name   = "avd-golden-image-dev"
image_version         = "2026.01.0"
exclude_from_latest   = true
hyper_v_generation    = "V1"
