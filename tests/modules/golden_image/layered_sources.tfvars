# Every feature of issue 11 items 4-7: a gallery source, checksums on every download, files,
# build VM identities, a build on apply, and all of AVD's built-in scripts.
resource_group_name     = "avd-dev-rg"
location                = "eastus"
gallery_name            = "avd_golden_images"
image_definition_name   = "avd-win11-m365"
image_template_name     = "avd-golden-image-template"
install_windows_updates = false
source_image_version_id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/base-rg/providers/Microsoft.Compute/galleries/base_images/images/win11-base/versions/latest"
inline_scripts = {
  "10-disable-ie" = ["Disable-WindowsOptionalFeature -FeatureName Internet-Explorer-Optional-amd64 -Online -NoRestart"]
}
script_uris = {
  "install-app" = "https://yourstorageaccount.blob.core.windows.net/scripts/Install-App.ps1"
}
script_uri_sha256 = {
  "install-app" = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
}
files = {
  "app-config" = {
    source_uri  = "https://yourstorageaccount.blob.core.windows.net/scripts/app-config.json"
    destination = "C:\\Temp\\app-config.json"
    sha256      = "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9"
  }
}
build_vm_identity_ids = ["/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/avd-dev-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/avd-build-vm"]
build_on_apply        = true
build_trigger         = "2026-12-01"
avd_builtin_scripts = {
  language_packs        = ["de-DE", "nb-NO"]
  default_language      = "de-DE"
  time_zone_redirection = true
  disable_storage_sense = true
  fslogix = {
    vhd_locations = ["\\\\stavdprofiles.file.core.windows.net\\profiles"]
    kerberos      = true
  }
  rdp_shortpath             = true
  screen_capture_protection = "client_and_server"
  teams_optimization        = {}
  multimedia_redirection    = { chrome = true }
  session_timeouts = {
    max_idle_minutes     = 60
    end_session_on_limit = true
  }
  office_apps           = { applications = ["Visio", "Project"] }
  remove_appx_packages  = ["Microsoft.XboxApp", "Microsoft.BingNews"]
  windows_optimizations = ["DefaultUserSettings", "Edge"]
}
