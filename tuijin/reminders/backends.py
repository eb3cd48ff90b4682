"""The outside channels' backends: how a message reaches a person by e-mail (Django's mail), SMS (the
office's HTTP gateway), the 企业微信 or 钉钉 group robot (their webhooks), or a file (JSON lines, for a
deployment's smoke test). settings.TUIJIN_REMINDER_BACKENDS names the class of each channel, so an office
plugs its own in; every backend says who it reaches (`address`) and sends (`send`), raising DeliveryError
with a Chinese reason the delivery log shows."""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .choices import Channel


class DeliveryError(Exception):
    """A send that failed; its text (Chinese) goes to the delivery log's 最近错误."""


@dataclass(frozen=True)
class Message:
    channel: str
    recipient: str  # the backend's address: an e-mail, a mobile number, a user name ("" for a group post)
    text: str       # what the person reads (a digest lists several messages)
    username: str = ""


class Backend(ABC):
    """A channel's backend: `address` says who it reaches, `send` delivers or raises DeliveryError."""

    channel: str = ""
    needs_address = True  # False: reaches a group even without the person's address (the robots)

    def address(self, user, preference) -> str:
        return ""

    @abstractmethod
    def send(self, message: Message) -> None:
        """Deliver `message`, or raise DeliveryError with a Chinese reason."""


class EmailBackend(Backend):
    """Django's mail (SMTP from EMAIL_HOST… in settings): one plain-text mail."""

    channel = Channel.EMAIL

    def address(self, user, preference) -> str:
        return (user.email or "").strip()

    def send(self, message: Message) -> None:
        subject = settings.TUIJIN_REMINDER_EMAIL_SUBJECT
        try:
            send_mail(subject, message.text, None, [message.recipient], fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - smtplib, the socket and the backend all raise their own
            raise DeliveryError(_("邮件发送失败：%(why)s") % {"why": str(exc)[:200] or type(exc).__name__}) from exc


def post_json(url: str, payload: dict, *, headers: dict | None = None, name: str) -> dict:
    """POST `payload` as JSON and return the JSON answer ({} if the body is not JSON); DeliveryError
    naming `name` (the gateway) on a timeout, an unreachable host or an HTTP error."""
    timeout = settings.TUIJIN_REMINDER_HTTP_TIMEOUT
    body = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the office's configured URL
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(_("%(name)s返回HTTP %(code)s") % {"name": name, "code": exc.code}) from exc
    except TimeoutError as exc:
        raise DeliveryError(_("%(name)s连接超时（%(s)s秒）") % {"name": name, "s": timeout}) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise DeliveryError(_("%(name)s连接超时（%(s)s秒）") % {"name": name, "s": timeout}) from exc
        raise DeliveryError(_("无法连接%(name)s：%(why)s") % {"name": name, "why": str(exc.reason)[:200]}) from exc
    except OSError as exc:
        raise DeliveryError(_("无法连接%(name)s：%(why)s") % {"name": name, "why": str(exc)[:200]}) from exc
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    return answer if isinstance(answer, dict) else {}


def _check_errcode(answer: dict, name: str) -> None:
    """The robots answer {"errcode": 0, "errmsg": "ok"}; anything else is their refusal."""
    code = answer.get("errcode")
    if code is None:
        raise DeliveryError(_("%(name)s的应答无法识别") % {"name": name})
    if str(code) != "0":
        raise DeliveryError(_("%(name)s返回错误：errcode %(code)s（%(msg)s）")
                            % {"name": name, "code": code, "msg": str(answer.get("errmsg", ""))[:200]})


def sms_payload(mobile: str, text: str) -> dict:
    """The generic SMS gateway's JSON body (docs/deploy.md “消息提醒”); an office whose gateway wants
    another shape names its own builder in TUIJIN_SMS_PAYLOAD."""
    return {"mobile": mobile, "content": text, "sign": settings.TUIJIN_SMS_SIGN}


class SmsBackend(Backend):
    """POST to the office's SMS gateway (TUIJIN_SMS_URL) with its key as a Bearer token; the answer is
    accepted when HTTP 2xx and its `code` (or `errcode`), if any, is 0."""

    channel = Channel.SMS

    def address(self, user, preference) -> str:
        return (getattr(preference, "mobile", "") or "").strip()

    def send(self, message: Message) -> None:
        url = settings.TUIJIN_SMS_URL
        if not url:
            raise DeliveryError(_("未配置短信网关地址（TUIJIN_SMS_URL）"))
        build = import_string(settings.TUIJIN_SMS_PAYLOAD)
        headers = {"Authorization": f"Bearer {settings.TUIJIN_SMS_KEY}"} if settings.TUIJIN_SMS_KEY else {}
        answer = post_json(url, build(message.recipient, message.text), headers=headers, name=_("短信网关"))
        code = answer.get("code", answer.get("errcode", 0))
        if str(code) not in ("0", "OK", "ok"):
            raise DeliveryError(_("短信网关返回错误：%(code)s（%(msg)s）")
                                % {"code": code, "msg": str(answer.get("message", answer.get("msg", answer.get("errmsg", ""))))[:200]})


class RobotBackend(Backend, ABC):
    """A group robot's webhook: it posts to the group even without the person's mobile, which it @-s."""

    needs_address = False

    def address(self, user, preference) -> str:
        return (getattr(preference, "mobile", "") or "").strip()


class WeComBackend(RobotBackend):
    """The 企业微信 group robot (TUIJIN_WECOM_WEBHOOK): a text message @-ing the person's mobile."""

    channel = Channel.WECOM

    def send(self, message: Message) -> None:
        url = settings.TUIJIN_WECOM_WEBHOOK
        if not url:
            raise DeliveryError(_("未配置企业微信机器人地址（TUIJIN_WECOM_WEBHOOK）"))
        text = {"content": message.text}
        if message.recipient:
            text["mentioned_mobile_list"] = [message.recipient]
        _check_errcode(post_json(url, {"msgtype": "text", "text": text}, name=_("企业微信")), _("企业微信"))


def dingtalk_signed(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """The webhook URL with 钉钉's 加签: timestamp and base64(HMAC-SHA256(secret, "timestamp\\nsecret"))."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


class DingTalkBackend(RobotBackend):
    """The 钉钉 group robot (TUIJIN_DINGTALK_WEBHOOK, signed when TUIJIN_DINGTALK_SECRET is set): a text
    message @-ing the person's mobile (钉钉 shows the @ only when the text names it too)."""

    channel = Channel.DINGTALK

    def send(self, message: Message) -> None:
        url = settings.TUIJIN_DINGTALK_WEBHOOK
        if not url:
            raise DeliveryError(_("未配置钉钉机器人地址（TUIJIN_DINGTALK_WEBHOOK）"))
        if settings.TUIJIN_DINGTALK_SECRET:
            url = dingtalk_signed(url, settings.TUIJIN_DINGTALK_SECRET)
        content = f"{message.text} @{message.recipient}" if message.recipient else message.text
        payload = {"msgtype": "text", "text": {"content": content},
                   "at": {"atMobiles": [message.recipient] if message.recipient else [], "isAtAll": False}}
        _check_errcode(post_json(url, payload, name=_("钉钉")), _("钉钉"))


class FileBackend(Backend):
    """Appends each message as a JSON line to TUIJIN_REMINDER_FILE (in the data directory): what a
    deployment's smoke test reads to see a reminder went out."""

    channel = Channel.FILE

    def address(self, user, preference) -> str:
        return user.get_username()

    def send(self, message: Message) -> None:
        path = Path(settings.TUIJIN_REMINDER_FILE)
        line = json.dumps({"at": timezone.now().isoformat(), "channel": message.channel,
                           "recipient": message.recipient, "text": message.text}, ensure_ascii=False)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError as exc:
            raise DeliveryError(_("写入文件失败：%(why)s") % {"why": str(exc)[:200]}) from exc


def backend(channel: str) -> Backend:
    """The configured backend of `channel` (settings.TUIJIN_REMINDER_BACKENDS)."""
    return import_string(settings.TUIJIN_REMINDER_BACKENDS[channel])()


def enabled_channels() -> list[str]:
    """The outside channels this office offers (settings.TUIJIN_REMINDER_CHANNELS), known ones only."""
    return [c for c in settings.TUIJIN_REMINDER_CHANNELS if c in Channel.values and c in settings.TUIJIN_REMINDER_BACKENDS]
