# envs/prod with one value per variable that Azure would refuse, each caught by the env's own
# validations (or the module variable's it takes them from) with its own message. Not here: values
# of variables that other variables' validations read (manual_gallery_image_id, session_hosts'
# neighbours): Terraform skips a validation that reads an invalid variable.
tags                           = { "Cost/Center" = "avd" }
golden_image_promoted_versions = ["1.0.0", "2147483648.0.0"]
pilot_image_version            = "1.0.2147483648"
session_host_count             = 1
session_hosts                  = { "1234" = { image_version = "1.2.3.4" } }
marketplace_image              = { publisher = "", offer = "office-365", sku = "win11-24h2-avd-m365" }
session_host_vm_size           = "Standard_A4_v2"
admin_username                 = "root"
domain_name                    = "corp_example.com"
domain_admin_username          = "joiner" # valid: domain_name reads it (an invalid one would mask domain_name's rules)
session_host_subnet_prefix     = "10.20.1.0/30"
