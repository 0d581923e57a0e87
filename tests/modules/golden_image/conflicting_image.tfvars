# Valid values that contradict each other on the image definition: each precondition fails with its own message.
resource_group_name      = "avd-dev-rg"
location                 = "eastus"
gallery_name             = "avd_golden_images"
image_definition_name    = "avd-win11-m365"
image_template_name      = "avd-golden-image-template"
existing_gallery_id      = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/shared-rg/providers/Microsoft.Compute/galleries/other_gallery"
hyper_v_generation       = "V1"
trusted_launch_supported = true
