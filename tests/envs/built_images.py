"""The golden image versions the envs' session hosts come from, as earlier builds published them.

A session host VM needs its gallery image version to exist in the VM's region (the simulated
cloud refuses it otherwise, as Azure does), and applying an env builds nothing: so tests that
apply an env with hosts on the golden image say what was built before. Prod builds nothing:
its versions are copies of dev's, made by its own apply.
"""

from __future__ import annotations

from generator.offline.simulator import SimulatedAzure

SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000001"
VERSIONS = {
    f"{SUBSCRIPTION}/resourceGroups/avd-dev-rg/providers/Microsoft.Compute/galleries/avd_dev_images/images/avd-win11-m365-dev/versions/1.0.0": ["eastus"],
    f"{SUBSCRIPTION}/resourceGroups/images-rg/providers/Microsoft.Compute/galleries/manual/images/win11-hand-made/versions/3.0.0": ["eastus"],
}


def given_built_images(ws) -> SimulatedAzure:
    azure = SimulatedAzure(ws.cloud)
    for version_id, regions in VERSIONS.items():
        azure.image_version(version_id, regions)
    return azure
