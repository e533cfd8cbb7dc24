"""verify_webhook on real deliveries from the server."""

from __future__ import annotations

import http.server
import threading
import time
import uuid
from typing import Any

from _support import LiveServerTest
from machineauth import WebhookSignatureError, verify_webhook


class _Receiver(http.server.BaseHTTPRequestHandler):
    received: list[tuple[bytes, dict[str, str]]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).received.append((body, dict(self.headers.items())))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        pass


class WebhookTests(LiveServerTest):
    def setUp(self) -> None:
        _Receiver.received = []
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def tearDown(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for_delivery(self, count: int) -> tuple[bytes, dict[str, str]]:
        deadline = time.monotonic() + 15
        while len(_Receiver.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertGreaterEqual(len(_Receiver.received), count, "no webhook delivery arrived")
        return _Receiver.received[count - 1]

    def test_real_delivery_verifies_and_forgeries_do_not(self) -> None:
        created = self.admin.create_webhook("py hook", self.url, ["agent.created"])
        secret = created.secret
        agent = self.new_agent("py-announced")
        body, headers = self.wait_for_delivery(1)

        delivery = verify_webhook(body, headers, secret)
        self.assertEqual(delivery.payload["event"], "agent.created")
        self.assertEqual(delivery.payload["agent_id"], agent.agent.id)
        self.assertEqual(delivery.event, "agent.created")
        self.assertEqual(delivery.attempt, 1)
        self.assertIsNotNone(delivery.id)
        # Header names in any case, and a str body, work the same.
        lowered = {k.lower(): v for k, v in headers.items()}
        self.assertEqual(verify_webhook(body.decode(), lowered, secret).id, delivery.id)

        def reason(*args: Any, **kwargs: Any) -> str:
            with self.assertRaises(WebhookSignatureError) as caught:
                verify_webhook(*args, **kwargs)
            return caught.exception.reason or ""

        self.assertEqual(reason(body.replace(b"agent.created", b"agent.deleted"), headers, secret), "bad_signature")
        self.assertEqual(reason(body, headers, "another-secret"), "bad_signature")
        self.assertEqual(reason(body, headers, secret, now=delivery.timestamp + 3600), "stale_timestamp")
        self.assertEqual(reason(body, {**lowered, "x-webhook-id": str(uuid.uuid4())}, secret), "bad_signature")
        legacy = {k: v for k, v in lowered.items() if k != "x-webhook-signature-256"}
        self.assertEqual(reason(body, legacy, secret), "missing_header")
        self.assertEqual(verify_webhook(body, legacy, secret, allow_body_only_signature=True).payload["event"], "agent.created")

        result = self.admin.test_webhook(created.webhook.id, event="webhook.test")
        self.assertTrue(result.success)
        self.assertEqual(result.status_code, 200)
        test_body, test_headers = self.wait_for_delivery(2)
        self.assertEqual(verify_webhook(test_body, test_headers, secret).payload["event"], "webhook.test")
        page = self.admin.list_webhook_deliveries(created.webhook.id, limit=10)
        self.assertGreaterEqual(len(page.deliveries), 1)
        self.assertEqual(self.admin.get_webhook_delivery(created.webhook.id, result.delivery_id).delivery.id, result.delivery_id)
        self.assertIn("agent.created", self.admin.list_webhook_events().events)
        self.assertFalse(self.admin.update_webhook(created.webhook.id, is_active=False).webhook.is_active)
        self.assertIn(created.webhook.id, [w.id for w in self.admin.list_webhooks().webhooks])
        self.assertIsNone(self.admin.delete_webhook(created.webhook.id))
