resource_group_name   = "avd-dev-rg"
location              = "eastus"
gallery_name          = "avd_golden_images"
image_definition_name = "avd-win11-m365"
image_template_name   = "avd-golden-image-template"
# A checksum key that names no script, and a managed image in another subscription.
script_uris             = { "install-app" = "https://example.blob.core.windows.net/scripts/Install-App.ps1" }
script_uri_sha256       = { "install-ap" = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae" }
source_managed_image_id = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/base-rg/providers/Microsoft.Compute/images/win11-base"
