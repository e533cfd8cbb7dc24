"""The synchronous client against a live server."""

from __future__ import annotations

import dataclasses
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import machineauth
from _support import CLIENT_ID, CLIENT_SECRET, URL, LiveServerTest
from machineauth import (
    Agent,
    ConflictError,
    ForbiddenError,
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    InvalidTokenError,
    MachineAuthClient,
    MachineAuthConfigurationError,
    MachineAuthConnectionError,
    MachineAuthError,
    NotFoundError,
    RotationRecord,
    TokenResponse,
    UnauthorizedError,
)


class TokenTests(LiveServerTest):
    def test_get_token_is_cached_per_scope_set(self) -> None:
        created = self.new_agent()
        client = self.client_for(created)
        first = client.get_token(scope="read write")
        self.assertIsInstance(first, TokenResponse)
        self.assertEqual(first.token_type, "Bearer")
        self.assertEqual(first.scope, "read write")
        self.assertIs(client.get_token(scope="write,read"), first)
        narrow = client.get_token(scope="read")
        self.assertEqual(narrow.scope, "read")
        self.assertNotEqual(narrow.access_token, first.access_token)
        # The server counted exactly the two tokens the client asked for.
        self.assertEqual(client.get_usage().token_count, 2 + 1)  # get_usage itself needs a default-scope token

    def test_concurrent_threads_share_one_token_request(self) -> None:
        created = self.new_agent()
        client = self.client_for(created, scope="read")
        with ThreadPoolExecutor(max_workers=16) as pool:
            tokens = list(pool.map(lambda _: client.get_token(), range(32)))
        self.assertEqual(len({t.access_token for t in tokens}), 1)
        self.assertEqual(client.get_usage().token_count, 1)

    def test_renews_shortly_before_expiry_with_the_refresh_token(self) -> None:
        org = self.admin.create_organization("Short-lived", self.unique("py-short"), jwt_expiry_secs=10)
        created = self.admin.create_organization_agent(org.id, "short", scopes=["read"])
        client = self.client_for(created)
        started = time.monotonic()
        first = client.get_token()
        self.assertEqual(first.expires_in, 10)
        self.assertIs(client.get_token(), first)  # fresh during the first half of its life
        time.sleep(max(0.0, 5.3 - (time.monotonic() - started)))
        second = client.get_token()
        self.assertNotEqual(second.access_token, first.access_token)
        usage = client.get_usage()
        self.assertEqual(usage.refresh_count, 1)
        self.assertEqual(usage.token_count, 2)

    def test_falls_back_to_client_credentials_when_the_refresh_token_is_refused(self) -> None:
        client = self.client_for(self.new_agent())
        first = client.get_token()
        client.revoke(first.refresh_token, token_type_hint="refresh_token")
        renewed = client.get_token(force_refresh=True)
        self.assertNotEqual(renewed.access_token, first.access_token)
        usage = client.get_usage()
        self.assertEqual((usage.token_count, usage.refresh_count), (2, 0))

    def test_oauth_endpoints_directly(self) -> None:
        client = self.client_for(self.new_agent())
        pair = client.request_token("client_credentials", scope="write")
        self.assertEqual(pair.scope, "write")
        info = client.introspect(pair.access_token)
        self.assertTrue(info.active)
        self.assertEqual(info.scope, "write")
        refreshed = client.refresh(refresh_token=pair.refresh_token)
        self.assertNotEqual(refreshed.access_token, pair.access_token)
        with self.assertRaises(InvalidGrantError):
            client.refresh(refresh_token=pair.refresh_token)  # a replay revokes the family
        self.assertFalse(client.introspect(refreshed.access_token).active)
        other = client.request_token("client_credentials")
        self.assertEqual(client.revoke(other.access_token, token_type_hint="access_token").status, "revoked")
        gone = client.introspect(other.access_token)
        self.assertEqual((gone.active, gone.revoked, gone.reason), (False, True, "revoked"))

    def test_a_revoked_token_is_replaced_once(self) -> None:
        created = self.new_agent()
        client = self.client_for(created)
        token = client.get_token()
        client.revoke(token.access_token, token_type_hint="access_token")
        self.assertEqual(client.get_me().agent.id, created.agent.id)
        self.assertNotEqual(client.get_token().access_token, token.access_token)


class SelfServiceTests(LiveServerTest):
    def test_prepared_agent_reads_itself(self) -> None:
        client = MachineAuthClient(URL, CLIENT_ID, CLIENT_SECRET)
        me = client.get_me()
        self.assertIsInstance(me.agent, Agent)
        self.assertEqual(me.agent.client_id, CLIENT_ID)
        verified = client.verify()
        self.assertEqual((verified.valid, verified.type, verified.client_id), (True, "access_token", CLIENT_ID))
        with self.assertRaises(dataclasses.FrozenInstanceError):
            me.agent.name = "changed"  # type: ignore[misc]

    def test_rotate_deactivate_reactivate_delete(self) -> None:
        created = self.new_agent("py-self")
        client = self.client_for(created)
        rotated = client.rotate()
        self.assertEqual(rotated.client_id, created.client_id)
        with self.assertRaises(InvalidClientError):
            self.client_for(created).get_token()  # the old secret is dead
        client.tokens.clear()
        self.assertEqual(client.get_me().agent.id, created.agent.id)  # the client switched to the new one
        history = client.get_usage().rotation_history
        self.assertEqual(len(history), 1)
        self.assertIsInstance(history[0], RotationRecord)

        self.assertEqual(client.deactivate().message, "agent deactivated successfully")
        with self.assertRaises(InvalidTokenError) as caught:
            client.get_me()
        self.assertEqual(caught.exception.status, 401)
        self.assertEqual(client.reactivate().message, "agent reactivated successfully")
        self.assertTrue(client.get_me().agent.is_active)

        self.assertIsNone(client.delete_self())
        with self.assertRaises(NotFoundError):
            self.admin.get_agent(created.agent.id)


class AdminTests(LiveServerTest):
    def test_agents(self) -> None:
        created = self.new_agent("py-managed")
        listed = self.admin.list_agents(is_active=True, limit=1000)
        self.assertIn(created.agent.id, [a.id for a in listed.agents])
        self.assertGreaterEqual(listed.total, len(listed.agents))
        self.assertEqual(self.admin.get_agent(created.agent.id).agent.name, "py-managed")
        updated = self.admin.update_agent(created.agent.id, name="py-renamed", expires_in=3600)
        self.assertEqual(updated.agent.name, "py-renamed")
        self.assertIsNotNone(updated.agent.expires_at)
        self.assertIsNone(self.admin.update_agent(created.agent.id, expires_in=None).agent.expires_at)  # None is sent as null
        self.assertEqual(self.admin.rotate_agent(created.agent.id).client_id, created.client_id)
        self.assertFalse(self.admin.deactivate_agent(created.agent.id).agent.is_active)
        self.assertTrue(self.admin.activate_agent(created.agent.id).agent.is_active)
        self.assertIsNone(self.admin.delete_agent(created.agent.id))

    def test_organizations_teams_and_api_keys(self) -> None:
        org = self.admin.create_organization("Py Org", self.unique("py-org"))
        self.assertEqual(self.admin.update_organization(org.id, name="Py Org 2").name, "Py Org 2")
        self.assertIn(org.id, [o.id for o in self.admin.list_organizations().organizations])
        team = self.admin.create_team(org.id, "Ops", description="on call")
        self.assertEqual(self.admin.get_team(org.id, team.id).description, "on call")
        self.assertEqual(self.admin.update_team(org.id, team.id, name="SRE").name, "SRE")
        self.assertEqual([t.id for t in self.admin.list_teams(org.id).teams], [team.id])
        member = self.admin.create_organization_agent(org.id, "member", team_id=team.id)
        self.assertEqual([a.id for a in self.admin.list_organization_agents(org.id).agents], [member.agent.id])

        created_key = self.admin.create_api_key(org.id, "py-ci")
        self.assertTrue(created_key.key.startswith(created_key.api_key.prefix))
        key_admin = machineauth.MachineAuthAdminClient(URL, api_key=created_key.key)
        self.assertEqual([a.id for a in key_admin.list_agents().agents], [member.agent.id])
        verified = key_admin.verify()
        self.assertEqual((verified.type, verified.organization_id), ("api_key", org.id))
        with self.assertRaises(ForbiddenError):
            key_admin.list_signing_keys()
        self.assertIsNone(self.admin.revoke_api_key(org.id, created_key.api_key.id))
        with self.assertRaises(UnauthorizedError):
            key_admin.list_agents()

        self.assertTrue(any(k.active for k in self.admin.list_signing_keys().keys))
        self.assertIsNone(self.admin.delete_team(org.id, team.id))
        self.assertIsNone(self.admin.delete_organization(org.id))


class ErrorTests(LiveServerTest):
    def test_server_errors_are_typed(self) -> None:
        created = self.new_agent()
        with self.assertRaises(InvalidClientError) as caught:
            MachineAuthClient(URL, created.client_id, "wrong").get_token()
        error = caught.exception
        self.assertIsInstance(error, MachineAuthError)
        self.assertEqual((error.code, error.status), ("invalid_client", 401))
        self.assertTrue(error.description)
        with self.assertRaises(InvalidScopeError):
            self.client_for(created).get_token(scope="admin")
        with self.assertRaises(InvalidRequestError) as invalid:
            self.admin.create_agent("")
        self.assertIn("name", invalid.exception.description)
        with self.assertRaises(NotFoundError):
            self.admin.get_agent(str(uuid.uuid4()))
        slug = self.unique("py-dup")
        self.admin.create_organization("One", slug)
        with self.assertRaises(ConflictError):
            self.admin.create_organization("Two", slug)
        with self.assertRaises(UnauthorizedError):
            machineauth.MachineAuthAdminClient(URL, email="admin@example.com", password="wrong").list_agents()

    def test_misuse_is_caught_before_sending(self) -> None:
        with self.assertRaises(MachineAuthConfigurationError):
            self.client_for(self.new_agent()).list_agents()
        with self.assertRaises(MachineAuthConfigurationError):
            MachineAuthClient(URL).get_me()
        with self.assertRaises(MachineAuthConfigurationError):
            MachineAuthClient(URL, "only-an-id")
        with self.assertRaises(TypeError):
            self.admin.get_agent("")
        with self.assertRaises(MachineAuthConnectionError):
            MachineAuthClient("http://127.0.0.1:9", timeout=5).get_health()

    def test_public_operations(self) -> None:
        anonymous = MachineAuthClient(URL + "/")
        self.assertEqual(anonymous.get_health().status, "ok")
        self.assertEqual(anonymous.get_service_info().service, "MachineAuth")
        self.assertGreaterEqual(anonymous.get_metrics().total_agents, 1)
        self.assertTrue(anonymous.get_jwks().keys[0].kid)
        self.assertTrue(anonymous.get_server_metadata().token_endpoint.endswith("/oauth/token"))
        self.assertEqual(anonymous.get_open_api_document()["openapi"], "3.1.0")
