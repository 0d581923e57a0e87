resource_group_name   = "avd-dev-rg"
location              = "eastus"
gallery_name          = "avd_golden_images"
image_definition_name = "avd-win11-m365"
image_template_name   = "avd-golden-image-template"
# A language the built-in scripts do not know (a code of the wrong form).
avd_builtin_scripts = {
  language_packs   = ["de-DE"]
  default_language = "german"
}
