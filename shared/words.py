"""The words people read for the codes the services exchange (a ticket's kind `fault`, its priority
`normal`, the clock `on_site` ...), in Chinese and English, by vocabulary: one code may read differently
in two vocabularies (`on_site` is a channel and a clock). The notify service words its notices with
them, the archive its documents; a code no vocabulary knows reads as itself.

The console's pages say the same in their own catalogue (services/console/web/locales), read through
gettext with the rest of their words."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")

# vocabulary -> code -> (Chinese, English)
VOCABULARIES: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "kind": {
        "fault": ("故障", "Fault"),
        "warranty_repair": ("保修维修", "Warranty repair"),
        "technical_support": ("技术支持", "Technical support"),
        "complaint": ("投诉", "Complaint"),
        "consultation": ("咨询", "Consultation"),
    },
    "priority": {
        "low": ("低", "Low"),
        "normal": ("普通", "Normal"),
        "high": ("高", "High"),
        "critical": ("紧急", "Critical"),
    },
    "channel": {
        "hotline": ("热线电话", "Hotline"),
        "email": ("电子邮件", "E-mail"),
        "on_site": ("现场", "On site"),
        "inspection": ("巡检", "Inspection"),
        "portal": ("客户自助报修", "The customer's own request"),
    },
    "clock": {  # the SLA's clocks of a ticket, and a vendor's of its case
        "response": ("响应", "response"),
        "on_site": ("到场", "on-site"),
        "resolution": ("修复", "resolution"),
        "acknowledge": ("确认", "acknowledgement"),
        "repair": ("维修", "repair"),
        "replacement": ("更换", "replacement"),
    },
    "pause": {
        "waiting_for_customer": ("等待客户", "Waiting for the customer"),
        "waiting_for_parts": ("等待备件", "Waiting for parts"),
        "waiting_for_vendor": ("等待厂商", "Waiting for the vendor"),
    },
    "breach_reason": {  # where a ticket stood when one of its clocks ran out (the service report)
        "not_assigned": ("尚未派工", "Not yet assigned"),
        "nobody_free": ("无空闲工程师", "No engineer free"),
        "no_skill": ("无相应技能的工程师", "No engineer with the skill"),
        "not_accepted": ("工程师尚未接单", "Not yet accepted by the engineer"),
        "not_on_site": ("工程师在途，尚未到场", "Engineer on the way, not yet on site"),
        "work_in_progress": ("现场处理中", "Work in progress on site"),
        "with_quality_desk": ("质量部处理中", "With the quality desk"),
        "waiting_for_customer": ("等待客户", "Waiting for the customer"),
        "waiting_for_parts": ("等待备件", "Waiting for parts"),
        "waiting_for_vendor": ("等待厂商", "Waiting for the vendor"),
        "paused": ("暂停", "Paused"),
        "state_unknown": ("状态不明", "Where it stood is unknown"),
    },
    "rule": {  # why dispatch chose an engineer
        "subsystem_owner": ("子系统负责工程师", "the subsystem's own engineer"),
        "least_loaded": ("负荷最少的可用工程师", "the least loaded engineer available"),
        "manual": ("服务经理指派", "chosen by the service manager"),
    },
    "actor": {
        "dispatch": ("系统自动派工", "Dispatched automatically"),
    },
    "outcome": {  # of a follow-up call
        "satisfied": ("满意，工单关闭", "Satisfied: ticket closed"),
        "dissatisfied": ("不满意，工单重开并转质量部", "Dissatisfied: ticket reopened, case at the quality desk"),
        "unreached": ("未联系上，工单关闭", "Not reached: ticket closed"),
        "try_again": ("未联系上，再次回访", "Not reached: call again"),
    },
    "origin": {  # of a complaint case
        "complaint": ("客户投诉", "Customer's complaint"),
        "low_follow_up_score": ("回访评分低", "Low follow-up score"),
        "low_review_score": ("回顾评分低", "Low review score"),
    },
    "severity": {
        "low": ("低", "Low"),
        "medium": ("中", "Medium"),
        "high": ("高", "High"),
        "critical": ("紧急", "Critical"),
    },
    "escalated_to": {
        "general_manager": ("总经理", "General manager"),
        "service_manager": ("服务经理", "Service manager"),
    },
    "escalation": {  # why a vendor is asked to act
        "repair": ("维修", "Repair"),
        "replacement": ("更换", "Replacement"),
        "vendor_visit": ("厂商上门", "Vendor's visit"),
        "technical_question": ("技术咨询", "Technical question"),
    },
    "vendor_outcome": {
        "fixed": ("已修复", "Fixed"),
        "declined": ("厂商拒绝", "Declined"),
        "cancelled": ("已取消", "Cancelled"),
    },
    "photo": {
        "before": ("处理前", "before"),
        "after": ("处理后", "after"),
        "label": ("铭牌", "nameplate"),
        "from_customer": ("客户报修照片", "as reported"),
    },
    "device_status": {
        "in_service": ("在用", "In service"),
        "under_repair": ("维修中", "Under repair"),
        "replaced": ("已更换", "Replaced"),
        "retired": ("已报废", "Retired"),
    },
    "equipment_action": {
        "created": ("新增", "Added"),
        "updated": ("修改", "Changed"),
        "retired": ("报废", "Retired"),
        "imported": ("导入", "Imported"),
        "swapped": ("更换", "Swapped"),
    },
    "device_field": {  # what a change of a register's device changed
        "asset_tag": ("资产编号", "asset tag"),
        "subsystem": ("系统", "subsystem"),
        "model": ("型号", "model"),
        "manufacturer": ("厂商", "manufacturer"),
        "serial_number": ("序列号", "serial number"),
        "vendor_code": ("厂商代码", "vendor code"),
        "warranty_until": ("保修至", "warranty until"),
        "install_date": ("安装日期", "installed on"),
        "location": ("位置", "location"),
        "status": ("状态", "status"),
        "quantity": ("数量", "quantity"),
    },
    "subsystem": {  # the one every site has; a site's own systems are named in its site file
        "service": ("服务（综合）", "The service as a whole"),
    },
    "duty": {
        "on_shift": ("当班", "on shift"),
        "on_call": ("值班待命", "on call"),
        "off": ("不在班", "off duty"),
        "on_leave": ("休假", "on leave"),
    },
}


def word(vocabulary: str, code: str | None, language: str) -> str:
    """The word for a code in the reader's language (Chinese unless English is asked for); a code the
    vocabulary does not know reads as itself, none as nothing."""
    if code is None:
        return ""
    found = VOCABULARIES[vocabulary].get(code)
    if found is None:
        return code
    return found[1] if language == "en" else found[0]


def words(vocabulary: str, codes: Iterable[str | None], language: str) -> dict[str, str]:
    """The words for these codes of one vocabulary (those it knows): what a document carries to be read."""
    return {code: word(vocabulary, code, language) for code in codes if code and code in VOCABULARIES[vocabulary]}


def named(names: Mapping[str, str | None] | None, language: str) -> str | None:
    """A thing's name in the reader's language from its `name` (English) and `local_name` (Chinese):
    the Chinese where it has one and Chinese is read, else the English."""
    if not names:
        return None
    local, english = names.get("local_name"), names.get("name")
    return (local if language != "en" else None) or english or local
