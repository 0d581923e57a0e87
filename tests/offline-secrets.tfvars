# Placeholder secrets for offline plans in tests only: nothing here reaches Azure.
admin_password        = "offline-Placeholder-1"
domain_admin_password = "offline-Placeholder-2"
