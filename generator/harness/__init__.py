"""Running Terraform against the offline provider: a private initialised copy (`terraform`), plans and simulated applies with their summaries (`plan`), Fabric-style inventories (`inventory`)."""
