"""Each outside channel's backend against a local fake gateway: the vendor's documented payload, its
refusals (errcode ≠ 0, HTTP errors), a timeout and an unreachable host, each a Chinese reason."""

import base64
import hashlib
import hmac
import json
import urllib.parse

import pytest
from django.core import mail

from tuijin.reminders.backends import (
    DeliveryError,
    DingTalkBackend,
    EmailBackend,
    FileBackend,
    Message,
    SmsBackend,
    WeComBackend,
    dingtalk_signed,
)


def message(channel, recipient="13800000001", text="请于11月25日前完成11月调度填报"):
    return Message(channel=channel, recipient=recipient, text=text)


def test_wecom_posts_the_robot_s_text_message_mentioning_the_mobile(channels, gateway):
    WeComBackend().send(message("wecom"))
    (request,) = gateway.requests
    assert request["path"] == "/cgi-bin/webhook/send?key=wecom-key"
    assert request["json"] == {"msgtype": "text", "text": {"content": "请于11月25日前完成11月调度填报",
                                                            "mentioned_mobile_list": ["13800000001"]}}


def test_wecom_s_refusal_is_the_delivery_s_error(channels, gateway):
    gateway.answers = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"}, 0)]
    with pytest.raises(DeliveryError, match=r"企业微信返回错误：errcode 93000（invalid webhook url）"):
        WeComBackend().send(message("wecom"))


def test_dingtalk_posts_its_text_message_with_the_at_list(channels, gateway):
    DingTalkBackend().send(message("dingtalk"))
    (request,) = gateway.requests
    assert request["path"] == "/robot/send?access_token=ding-token"  # no secret: not signed
    assert request["json"] == {"msgtype": "text", "text": {"content": "请于11月25日前完成11月调度填报 @13800000001"},
                               "at": {"atMobiles": ["13800000001"], "isAtAll": False}}


def test_dingtalk_signs_with_timestamp_and_hmac_sha256_when_a_secret_is_set(channels, gateway):
    channels.TUIJIN_DINGTALK_SECRET = "SECabc"
    DingTalkBackend().send(message("dingtalk"))
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(gateway.requests[0]["path"]).query)
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    expected = base64.b64encode(hmac.new(b"SECabc", f"{timestamp}\nSECabc".encode(), hashlib.sha256).digest()).decode()
    assert sign == expected and query["access_token"] == ["ding-token"]


def test_the_signed_url_is_the_documented_one_for_a_known_timestamp():
    url = dingtalk_signed("https://oapi.dingtalk.com/robot/send?access_token=x", "SEC1", 1700000000000)
    digest = base64.b64encode(hmac.new(b"SEC1", b"1700000000000\nSEC1", hashlib.sha256).digest())
    assert url == ("https://oapi.dingtalk.com/robot/send?access_token=x&timestamp=1700000000000&sign="
                   + urllib.parse.quote_plus(digest))


def test_dingtalk_s_refusal_is_the_delivery_s_error(channels, gateway):
    gateway.answers = [(200, {"errcode": 310000, "errmsg": "sign not match"}, 0)]
    with pytest.raises(DeliveryError, match=r"钉钉返回错误：errcode 310000（sign not match）"):
        DingTalkBackend().send(message("dingtalk"))


def test_sms_posts_the_generic_payload_with_the_key(channels, gateway):
    gateway.answers = [(200, {"code": 0, "message": "ok"}, 0)]
    SmsBackend().send(message("sms"))
    (request,) = gateway.requests
    assert request["path"] == "/sms"
    assert request["headers"]["Authorization"] == "Bearer sms-key-123"
    assert request["json"] == {"mobile": "13800000001", "content": "请于11月25日前完成11月调度填报", "sign": "推进平台"}


def custom_payload(mobile, text):
    return {"phoneNumbers": mobile, "templateParam": json.dumps({"text": text}, ensure_ascii=False)}


def test_the_sms_payload_builder_is_pluggable(channels, gateway):
    channels.TUIJIN_SMS_PAYLOAD = "tests.reminders.test_backends.custom_payload"
    SmsBackend().send(message("sms", text="催报"))
    assert gateway.requests[0]["json"] == {"phoneNumbers": "13800000001", "templateParam": '{"text": "催报"}'}


def test_sms_gateway_refusal_and_http_error(channels, gateway):
    gateway.answers = [(200, {"code": 40001, "message": "余额不足"}, 0), (500, b"oops", 0)]
    with pytest.raises(DeliveryError, match="短信网关返回错误：40001（余额不足）"):
        SmsBackend().send(message("sms"))
    with pytest.raises(DeliveryError, match="短信网关返回HTTP 500"):
        SmsBackend().send(message("sms"))


def test_a_gateway_that_does_not_answer_in_time_is_a_timeout(channels, gateway):
    channels.TUIJIN_REMINDER_HTTP_TIMEOUT = 1
    gateway.answers = [(200, {"errcode": 0}, 2.5)]
    with pytest.raises(DeliveryError, match=r"企业微信连接超时（1秒）"):
        WeComBackend().send(message("wecom"))


def test_an_unreachable_gateway_and_a_missing_address_are_named(channels, gateway):
    channels.TUIJIN_WECOM_WEBHOOK = "http://127.0.0.1:9/nothing"  # the discard port: nobody listens
    with pytest.raises(DeliveryError, match="无法连接企业微信"):
        WeComBackend().send(message("wecom"))
    channels.TUIJIN_SMS_URL = ""
    with pytest.raises(DeliveryError, match=r"未配置短信网关地址（TUIJIN_SMS_URL）"):
        SmsBackend().send(message("sms"))


def test_an_answer_that_is_not_the_robot_s_is_refused(channels, gateway):
    gateway.answers = [(200, b"<html>proxy login</html>", 0)]
    with pytest.raises(DeliveryError, match="企业微信的应答无法识别"):
        WeComBackend().send(message("wecom"))


def test_email_goes_through_django_s_mail(channels):
    EmailBackend().send(message("email", recipient="li@example.cn"))
    (sent,) = mail.outbox
    assert sent.to == ["li@example.cn"] and sent.subject == "推进平台提醒"
    assert sent.body == "请于11月25日前完成11月调度填报"


def test_the_file_backend_writes_one_json_line_per_message(channels, tmp_path):
    FileBackend().send(message("file", recipient="reporter_a", text="一"))
    FileBackend().send(message("file", recipient="reporter_a", text="二"))
    lines = [json.loads(line) for line in (tmp_path / "outbox.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(line["recipient"], line["text"]) for line in lines] == [("reporter_a", "一"), ("reporter_a", "二")]
