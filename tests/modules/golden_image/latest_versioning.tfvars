# Scheduled rebuilds: Image Builder numbers each build within MAJOR 2, so no build collides with
# the version the previous one published; image_version names the version hosts may pin.
resource_group_name   = "avd-dev-rg"
location              = "eastus"
gallery_name          = "avd_golden_images"
image_definition_name = "avd-win11-m365-dev"
image_template_name   = "avd-golden-image-dev"
image_version         = "2.3.0"
image_versioning      = "latest"
