"""Shared set-up of the tests: a live MachineAuth server named by the environment (the
TypeScript test sdk-gen/test/python-sdk.test.ts starts one and runs these tests against it)."""

from __future__ import annotations

import os
import sys
import unittest
import uuid
from pathlib import Path

# The package under test, from this checkout (no installation needed).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import machineauth  # noqa: E402

URL = os.environ.get("MACHINEAUTH_URL", "")
ADMIN_EMAIL = os.environ.get("MACHINEAUTH_ADMIN_EMAIL", "")
ADMIN_PASSWORD = os.environ.get("MACHINEAUTH_ADMIN_PASSWORD", "")
CLIENT_ID = os.environ.get("MACHINEAUTH_CLIENT_ID", "")
CLIENT_SECRET = os.environ.get("MACHINEAUTH_CLIENT_SECRET", "")


class LiveServerTest(unittest.TestCase):
    """Skips (loudly) without a server; the npm test run always provides one."""

    admin: machineauth.MachineAuthAdminClient

    @classmethod
    def setUpClass(cls) -> None:
        if not (URL and ADMIN_EMAIL and ADMIN_PASSWORD and CLIENT_ID and CLIENT_SECRET):
            raise unittest.SkipTest("set MACHINEAUTH_URL, MACHINEAUTH_ADMIN_EMAIL, MACHINEAUTH_ADMIN_PASSWORD, MACHINEAUTH_CLIENT_ID and MACHINEAUTH_CLIENT_SECRET")
        cls.admin = machineauth.MachineAuthAdminClient(URL, email=ADMIN_EMAIL, password=ADMIN_PASSWORD)

    def new_agent(self, name: str = "py-agent", scopes: list[str] | None = None, **options) -> machineauth.CreatedAgent:
        return self.admin.create_agent(name, scopes=scopes if scopes is not None else ["read", "write"], **options)

    def client_for(self, created: machineauth.CreatedAgent, **options) -> machineauth.MachineAuthClient:
        return machineauth.MachineAuthClient(URL, created.client_id, created.client_secret, **options)

    def unique(self, prefix: str) -> str:
        return f"{prefix}-{uuid.uuid4().hex[:8]}"
