"""The providers' rules as plain functions: Alibaba Cloud's V3 signature against the worked example its
documentation publishes, and against the local stand-in's own reading of the algorithm; the encoding
the signature wants; a notice's template variables within the provider's limits; which refusals are
final; what a delivery report says; WeCom rather than the group robot by default, a WeCom userid from
the site file, one person's only; a provider half configured refused at start."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import structlog
from pydantic import ValidationError

from services.notify import seed
from services.notify.domain import aliyun_sms as rules
from services.notify.domain.notices import Channel, Preferences, Reachable
from services.notify.settings import NotifySettings
from services.notify.sms import LoggingSms
from services.notify.wecom import within_bytes
from shared.contracts.notices import NoticeKind
from shared.site_file import DEMO_SITE, ReachableSection, SiteFile, load_site_file
from testkit.aliyun_fake import expected_signature


def test_the_signature_of_the_documented_example_is_the_documented_signature() -> None:
    """ "V3版本请求体&签名机制" (help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature,
    document 2593177), its worked example: RunInstances on ECS in cn-shanghai, signed with the fixed values
    it gives, comes to the Authorization header it shows."""
    headers = {
        "host": "ecs.cn-shanghai.aliyuncs.com",
        "x-acs-action": "RunInstances",
        "x-acs-version": "2014-05-26",
        "x-acs-date": "2023-10-26T10:22:32Z",
        "x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
        "x-acs-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    }
    query = {"ImageId": "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd", "RegionId": "cn-shanghai"}
    assert rules.authorization("YourAccessKeyId", "YourAccessKeySecret", "POST", "/", query, headers) == (
        "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;"
        "x-acs-date;x-acs-signature-nonce;x-acs-version,"
        "Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
    )


def test_the_stand_in_reads_a_text_with_chinese_and_symbols_as_signed() -> None:
    """The stand-in works the signature out from the raw query as sent; both readings agree on what the
    encoding is hardest on: Chinese, spaces, *, ~, + and JSON."""
    params = {"PhoneNumbers": "13900000001", "SignName": "汇海售后", "TemplateCode": "SMS_1",
              "TemplateParam": '{"subject":"时限超时 A*B~C+D","site":"L1 / 中庭"}'}  # fmt: skip
    headers = {"host": "127.0.0.1:8123", "x-acs-action": "SendSms", "x-acs-version": "2017-05-25",
               "x-acs-date": "2026-12-07T10:00:00Z", "x-acs-signature-nonce": "n1",
               "x-acs-content-sha256": rules.EMPTY_BODY_SHA256}  # fmt: skip
    ours = rules.authorization("id", "secret", "POST", "/", params, headers).rsplit("Signature=", 1)[1]
    signed = rules.signed_header_names(headers)
    assert ours == expected_signature("secret", "POST", rules.canonical_query(params), headers, signed, b"")
    assert rules.percent_encode("a b*c~d+中") == "a%20b%2Ac~d%2B%E4%B8%AD"


def test_a_notices_variables_are_cut_to_the_providers_limit_and_cleaned() -> None:
    variables = rules.template_params(
        ["subject", "site", "ticket"], subject="时限超时 HH138-20261127-0001", ticket_id=None,
        site="【汇海】广场\n二期" + "很长" * 30, max_chars=35,
    )  # fmt: skip
    assert variables["subject"] == "时限超时 HH138-20261127-0001"
    assert variables["ticket"] == "-"  # none: a variable may not be empty
    assert len(variables["site"]) == 35
    assert variables["site"].startswith("汇海 广场 二期很长")
    assert variables["site"].endswith("…")
    assert list(rules.template_params(["site"], subject="s", ticket_id="t", site="x", max_chars=35)) == ["site"]


def test_a_refusal_is_final_unless_it_lifts_by_itself() -> None:
    for final in ("isv.MOBILE_NUMBER_ILLEGAL", "isv.SMS_TEMPLATE_ILLEGAL", "SignatureDoesNotMatch", "isv.NEW"):
        assert rules.refusal_is_final(final), final
    for passing in ("isv.BUSINESS_LIMIT_CONTROL", "isv.AMOUNT_NOT_ENOUGH", "Throttling.User", "isp.SYSTEM_ERROR"):
        assert not rules.refusal_is_final(passing), passing


def test_a_delivery_report_says_delivered_failed_or_waiting_for_the_text_asked_about() -> None:
    def answer(*details: dict[str, object]) -> dict[str, object]:
        return {"Code": "OK", "SmsSendDetailDTOs": {"SmsSendDetailDTO": list(details)}}

    delivered = rules.receipt_from(answer({"SendStatus": 3, "ErrCode": "DELIVERED", "ReceiveDate":
                                           "2026-12-07 18:42:13"}), "1^0")  # fmt: skip
    assert delivered == rules.Receipt("delivered", datetime(2026, 12, 7, 18, 42, 13, tzinfo=ZoneInfo("Asia/Shanghai")))
    failed = rules.receipt_from(answer({"SendStatus": 2, "ErrCode": "MOBILE_NOT_ON_SERVICE", "ReceiveDate": ""}), "1^0")
    assert (failed.state, failed.at, failed.error) == ("not_delivered", None, "MOBILE_NOT_ON_SERVICE")
    assert rules.receipt_from(answer({"SendStatus": 1}), "1^0").state == "waiting"
    assert rules.receipt_from(answer(), "1^0").state == "waiting"  # just sent: nothing listed yet
    other = rules.receipt_from(answer({"SendStatus": 3, "BizId": "2^0"}), "1^0")
    assert other.state == "waiting"
    evening = datetime(2026, 12, 7, 17, 30, tzinfo=ZoneInfo("UTC"))  # already the 8th in Beijing
    assert rules.send_dates(evening) == ["20261208"]
    assert rules.send_dates(evening - timedelta(hours=10)) == ["20261207"]


def test_a_text_taken_near_midnight_in_beijing_is_asked_for_by_both_days_its_own_first() -> None:
    beijing = ZoneInfo("Asia/Shanghai")
    assert rules.send_dates(datetime(2026, 12, 8, 0, 0, 20, tzinfo=beijing)) == ["20261208", "20261207"]
    assert rules.send_dates(datetime(2026, 12, 7, 16, 4, tzinfo=ZoneInfo("UTC"))) == ["20261208", "20261207"]
    assert rules.send_dates(datetime(2026, 12, 7, 23, 57, tzinfo=beijing)) == ["20261207", "20261208"]
    assert rules.send_dates(datetime(2026, 12, 8, 0, 5, tzinfo=beijing)) == ["20261208"]
    assert rules.send_dates(datetime(2026, 12, 7, 23, 54, 59, tzinfo=beijing)) == ["20261207"]
    assert rules.send_dates(datetime(2026, 12, 31, 23, 59, tzinfo=beijing)) == ["20261231", "20270101"]


def test_someone_with_a_wecom_userid_is_told_there_rather_than_in_their_group() -> None:
    both = Reachable(email="a@example.com", phone="+86 139 0000 0001", robot_url="https://robot", wecom_userid="ZS")
    chosen = Preferences().channels_for(NoticeKind.ASSIGNED, both, urgent=False)
    assert [c.channel for c in chosen] == [Channel.WECOM, Channel.EMAIL]
    assert chosen[0].address == "ZS"
    robot_only = Reachable(robot_url="https://robot")
    assert [c.channel for c in Preferences().channels_for(NoticeKind.ASSIGNED, robot_only, urgent=False)] == [
        Channel.ROBOT
    ]
    chose = Preferences({"assigned": (Channel.WECOM,)}).channels_for(NoticeKind.ASSIGNED, robot_only, urgent=False)
    assert [(c.channel, c.why_not) for c in chose] == [(Channel.WECOM, "no WeCom userid")]


def test_a_wecom_text_is_cut_to_its_byte_limit_between_characters() -> None:
    text = "时" * 1000  # 3000 bytes
    cut = within_bytes(text, 2048)
    assert len(cut.encode()) <= 2048
    assert cut.endswith("…")
    assert within_bytes("short", 2048) == "short"


def test_a_provider_half_configured_is_refused_at_start_naming_what_is_missing() -> None:
    with pytest.raises(ValidationError, match="NOTIFY_ALIYUN_ACCESS_KEY_SECRET, NOTIFY_ALIYUN_SMS_TEMPLATE_CODE"):
        NotifySettings(sms_provider="aliyun", aliyun_access_key_id="id", aliyun_sms_sign_name="sign")
    with pytest.raises(ValidationError, match="NOTIFY_WECOM_SECRET"):
        NotifySettings(wecom_corp_id="ww1", wecom_agent_id=1000002)
    assert NotifySettings().wecom_configured is False
    assert NotifySettings(sms_provider="log").sms_provider == "log"


def test_a_site_file_gives_a_persons_wecom_userid_as_their_other_addresses() -> None:
    described = load_site_file(DEMO_SITE)
    first = described.staff[0].model_copy(update={"wecom_userid": "LiuYang"})
    contacts = seed._contacts(described.model_copy(update={"staff": [first, *described.staff[1:]]}))
    by_name = {c["username"]: c for c in contacts}
    assert by_name[first.username]["wecom_userid"] == "LiuYang"
    assert by_name[described.staff[1].username]["wecom_userid"] is None


def test_a_wecom_userid_is_one_members_never_everyone_nor_several() -> None:
    """WeCom's rule for a member's UserID; `touser` would take @all (everyone) and a|b (two people)."""
    for userid in ("ZhangSan", "zhang.san@huihai", "0042", "li_si-2", "a" * 64):
        assert ReachableSection(wecom_userid=userid).wecom_userid == userid
    site = tomllib.loads(DEMO_SITE.read_text())
    for wrong in ("@all", "ZhangSan|LiSi", "", "a" * 65, "张三", "_lead", "Zhang San"):
        site["staff"][0]["wecom_userid"] = wrong
        with pytest.raises(ValidationError, match=r"staff\.0\.wecom_userid\n.* is not one WeCom member's userid"):
            SiteFile.model_validate(site)


async def test_a_text_written_to_the_log_names_its_number_by_the_last_four_digits_only() -> None:
    with structlog.testing.capture_logs() as written:  # as called: before any redaction by field name
        await LoggingSms().send("+86 139 1234 0088", "【Aftercare】时限超时")
    assert written == [{"event": "text message", "log_level": "info", "to": "…0088", "text": "【Aftercare】时限超时"}]
