resource_group_name   = "avd-dev-rg"
location              = "eastus"
gallery_name          = "avd_golden_images"
image_definition_name = "avd-win11-m365"
image_template_name   = "avd-golden-image-template"
# An option the built-in scripts do not have (a typo of time_zone_redirection).
avd_builtin_scripts = {
  timezone_redirection = true
}
