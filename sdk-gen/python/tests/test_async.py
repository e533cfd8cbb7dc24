"""The asyncio client against a live server."""

from __future__ import annotations

import asyncio
import unittest

from _support import ADMIN_EMAIL, ADMIN_PASSWORD, URL, LiveServerTest
from machineauth import AgentEnvelope, AsyncMachineAuthAdminClient, AsyncMachineAuthClient, InvalidClientError, NotFoundError, TokenResponse


class AsyncClientTests(LiveServerTest, unittest.IsolatedAsyncioTestCase):
    async def test_tokens_self_service_and_single_flight(self) -> None:
        created = self.new_agent("py-async")
        client = AsyncMachineAuthClient(URL, created.client_id, created.client_secret, scope="read")
        tokens = await asyncio.gather(*(client.get_token() for _ in range(20)))
        self.assertIsInstance(tokens[0], TokenResponse)
        self.assertEqual(len({t.access_token for t in tokens}), 1)
        answers = await asyncio.gather(*(client.get_me() for _ in range(10)))
        self.assertTrue(all(isinstance(a, AgentEnvelope) and a.agent.id == created.agent.id for a in answers))
        usage = await client.get_usage()
        self.assertEqual(usage.token_count, 1)  # one token for all thirty calls
        self.assertEqual((await client.verify()).type, "access_token")
        self.assertEqual((await client.introspect(tokens[0].access_token)).active, True)

    async def test_admin_and_typed_errors(self) -> None:
        admin = AsyncMachineAuthAdminClient(URL, email=ADMIN_EMAIL, password=ADMIN_PASSWORD)
        created = await admin.create_agent("py-async-admin", scopes=["read"])
        listed = await admin.list_agents(limit=1000)
        self.assertIn(created.agent.id, [a.id for a in listed.agents])
        await admin.delete_agent(created.agent.id)
        with self.assertRaises(NotFoundError):
            await admin.get_agent(created.agent.id)
        with self.assertRaises(InvalidClientError) as caught:
            await AsyncMachineAuthClient(URL, created.client_id, created.client_secret).get_token()
        self.assertEqual(caught.exception.status, 401)
