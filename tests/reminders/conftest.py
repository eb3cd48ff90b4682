"""The reminders tests' scene: a local fake HTTP server standing in for the SMS gateway and the 企业微信/钉钉
robots (never the real endpoints), and the office's outside channels switched on."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class FakeGateway:
    """Records every POST (path, headers, JSON body) and answers from `answers` (status, body, delay
    seconds) in turn, the last one again when they run out."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[tuple[int, object, float]] = [(200, {"errcode": 0, "errmsg": "ok"}, 0)]
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                gateway.requests.append({"path": self.path, "headers": dict(self.headers),
                                         "json": json.loads(body.decode("utf-8"))})
                status, answer, delay = gateway.answers.pop(0) if len(gateway.answers) > 1 else gateway.answers[0]
                if delay:
                    time.sleep(delay)
                data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (the timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    fake = FakeGateway()
    yield fake
    fake.close()


@pytest.fixture
def channels(settings, gateway, tmp_path):
    """Every outside channel on, each pointing at the fake gateway (or a temporary file); no quiet hours."""
    settings.TUIJIN_REMINDER_CHANNELS = ["email", "sms", "wecom", "dingtalk", "file"]
    settings.TUIJIN_REMINDER_DEFAULT_CHANNELS = []
    settings.TUIJIN_SMS_URL = gateway.url + "/sms"
    settings.TUIJIN_SMS_KEY = "sms-key-123"
    settings.TUIJIN_WECOM_WEBHOOK = gateway.url + "/cgi-bin/webhook/send?key=wecom-key"
    settings.TUIJIN_DINGTALK_WEBHOOK = gateway.url + "/robot/send?access_token=ding-token"
    settings.TUIJIN_DINGTALK_SECRET = ""
    settings.TUIJIN_REMINDER_FILE = str(tmp_path / "outbox.jsonl")
    settings.TUIJIN_REMINDER_QUIET = ""
    settings.TUIJIN_REMINDER_HTTP_TIMEOUT = 2
    settings.TUIJIN_REMINDER_SITE_URL = ""
    return settings
