resource_group_name   = "avd-dev-rg"
location              = "eastus"
gallery_name          = "avd_golden_images"
image_definition_name = "avd-win11-m365"
image_template_name   = "avd-golden-image-template"
# One invalid value per validation of issue 11's sources, integrity and built-in script inputs.
base_image_plan         = { name = "", product = "o", publisher = "x" }
source_image_version_id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/base-rg/providers/Microsoft.Compute/galleries/base_images/images/win11-base"
source_managed_image_id = "/subscriptions/x/images/y"
script_uri_sha256       = { "install-app" = "2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE" }
files = {
  "bad key" = { source_uri = "http://example.com/a.json", destination = "/tmp/a.json", sha256 = "abc" }
}
build_vm_identity_ids = ["/subscriptions/x/identities/y"]
avd_builtin_scripts = {
  colour                    = "blue"
  time_zone_redirection     = "yes please"
  language_packs            = ["xx-XX"]
  screen_capture_protection = "server"
  fslogix                   = { vhd_locations = ["C:\\profiles"] }
  teams_optimization        = { webrtc_installer_uri = "http://example.com/webrtc.msi" }
  session_timeouts          = { max_idle_minutes = 1.5 }
  office_apps               = { applications = ["Paint"] }
  remove_appx_packages      = ["Microsoft.Xbox App"]
  windows_optimizations     = ["Everything"]
}
