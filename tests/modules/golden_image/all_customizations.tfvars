# Every customizer on, Windows Update off: the build order must still be the seed's.
resource_group_name     = "avd-dev-rg"
location                = "eastus"
gallery_name            = "avd_golden_images"
image_definition_name   = "avd-win11-m365"
image_template_name     = "avd-golden-image-template"
install_windows_updates = false
powershell_modules      = ["Az.Accounts", "Az.Compute"]
inline_scripts = {
  "20-enable-rdp" = ["Enable-NetFirewallRule -DisplayGroup 'Remote Desktop'"]
  "10-disable-ie" = ["Disable-WindowsOptionalFeature -FeatureName Internet-Explorer-Optional-amd64 -Online -NoRestart"]
}
script_uris = {
  "install-fslogix" = "https://yourstorageaccount.blob.core.windows.net/scripts/Install-FSLogix.ps1"
  "harden-os"       = "https://github.com/yourorg/scripts/raw/main/Harden-Windows.ps1"
}
chocolatey_packages         = ["googlechrome", "7zip"]
restart_after_customization = true
run_cleanup_script          = true
vm_size                     = "Standard_D4s_v5"
os_disk_size_gb             = 256
build_timeout_minutes       = 360
