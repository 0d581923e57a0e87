# The seed's blue/green rollout: one pilot host on the newest golden image, drained.
pilot_session_host_count = 1
