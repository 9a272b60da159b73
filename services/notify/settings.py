from typing import ClassVar, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from shared.contracts.notices import NoticeKind
from shared.outgoing_mail import MailServerSettings
from shared.settings import ServiceSettings

TemplateVariable = Literal["subject", "ticket", "site"]


class NotifySettings(ServiceSettings, MailServerSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFY_", extra="ignore")

    service_name: ClassVar[str] = "notify"
    default_http_port: ClassVar[int] = 8008

    console_url: str = Field(
        "http://localhost:8006", description="The console's address as people open it: notifications link into it."
    )
    mail_from: str = Field("Aftercare <aftercare@localhost>", description="The sender of notification e-mails.")
    sms_provider: str = Field(
        "log",
        description=(
            "Who sends text messages: `log` writes them to the log (no provider signed up), `aliyun` sends them "
            "through Alibaba Cloud SMS (the NOTIFY_ALIYUN_... settings), or the import path of a class with the "
            "SmsProvider interface (services/notify/sms.py), e.g. `mycompany.sms:Tencent`."
        ),
    )
    aliyun_access_key_id: str | None = Field(None, description="Alibaba Cloud SMS: the RAM user's AccessKey ID.")
    aliyun_access_key_secret: SecretStr | None = Field(None, description="Alibaba Cloud SMS: its AccessKey secret.")
    aliyun_sms_sign_name: str | None = Field(
        None, description="Alibaba Cloud SMS: the approved signature (签名) shown in 【】 before each text."
    )
    aliyun_sms_template_code: str | None = Field(
        None,
        description="Alibaba Cloud SMS: the approved notification template (SMS_...) every notice is sent with, "
        "its variables named in NOTIFY_ALIYUN_SMS_TEMPLATE_PARAMS, e.g. "
        "`售后通知：${subject}（${site}），请登录售后平台处理。`",
    )
    aliyun_sms_templates: dict[NoticeKind, str] = Field(
        {},
        description='Alibaba Cloud SMS: templates of their own for some kinds of notice, e.g. {"sla_breached": '
        '"SMS_123"} (JSON), with the same variables; the other kinds use NOTIFY_ALIYUN_SMS_TEMPLATE_CODE.',
    )
    aliyun_sms_template_params: list[TemplateVariable] = Field(
        ["subject", "site"],
        description="The variables the templates name (JSON list): `subject`, the notice's headline in the "
        "person's language with its ticket (\"时限超时 HH138-20261127-0001\"); `ticket`, the ticket's number alone; "
        "`site`, the site's name. Each is cut to NOTIFY_ALIYUN_SMS_PARAM_MAX_CHARS, 【】 and line breaks removed.",
    )
    aliyun_sms_param_max_chars: int = Field(
        35, ge=1, le=500, description="The longest a template variable may be (Aliyun's default limit is 35)."
    )
    aliyun_sms_endpoint: str = Field(
        "https://dysmsapi.aliyuncs.com", description="Alibaba Cloud SMS's API (dysmsapi, version 2017-05-25)."
    )
    sms_receipt_first_poll_seconds: float = Field(
        10.0, gt=0, le=3600, description="How long after a text is sent its delivery receipt is first asked for."
    )
    sms_receipt_give_up_after_hours: float = Field(
        48.0, gt=0, le=720, description="How long a text's receipt is asked for, less and less often, until "
        "it is recorded as unknown (a phone switched off for days).",
    )  # fmt: skip
    wecom_corp_id: str | None = Field(
        None, description="WeCom application messages (企业微信 应用消息): the company's CorpID; unset: none are sent."
    )
    wecom_agent_id: int | None = Field(None, description="WeCom: the AgentId of the application that speaks.")
    wecom_secret: SecretStr | None = Field(None, description="WeCom: that application's Secret.")
    wecom_endpoint: str = Field("https://qyapi.weixin.qq.com", description="WeCom's API.")
    notice_timeout_seconds: float = Field(
        10.0, gt=0, le=60, description="How long a mail server, robot or provider may take to answer a request; "
        "a notification not sent within three times that is cut off and tried again later.",
    )  # fmt: skip
    notice_tick_seconds: float = Field(
        1.0, gt=0, le=60, description="How often the sender looks for notifications due."
    )
    notices_per_tick: int = Field(50, ge=1, le=1000, description="Notifications a process sends at once.")
    notice_give_up_after_hours: float = Field(
        6.0, gt=0, description="How long a notification that fails is tried before it is given up."
    )

    @property
    def wecom_configured(self) -> bool:
        return all(_given(v) for v in (self.wecom_corp_id, self.wecom_agent_id, self.wecom_secret))

    @field_validator("wecom_agent_id", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        return None if value == "" else value  # compose passes an unset variable as empty

    @model_validator(mode="after")
    def _providers_complete(self) -> Self:
        """A provider half configured is refused at start, naming what is missing, rather than every
        message failing later."""
        if self.sms_provider == "aliyun":
            needed = ("aliyun_access_key_id", "aliyun_access_key_secret", "aliyun_sms_sign_name",
                      "aliyun_sms_template_code")  # fmt: skip
            missing = [f"NOTIFY_{name.upper()}" for name in needed if not _given(getattr(self, name))]
            if missing:
                raise ValueError(f"NOTIFY_SMS_PROVIDER=aliyun needs {', '.join(missing)}")
        wecom = {"NOTIFY_WECOM_CORP_ID": self.wecom_corp_id, "NOTIFY_WECOM_AGENT_ID": self.wecom_agent_id,
                 "NOTIFY_WECOM_SECRET": self.wecom_secret}  # fmt: skip
        missing = [name for name, value in wecom.items() if not _given(value)]
        if 0 < len(missing) < len(wecom):
            raise ValueError(f"WeCom application messages need {', '.join(missing)} as well")
        return self


def _given(value: str | int | SecretStr | None) -> bool:
    if isinstance(value, SecretStr):
        return bool(value.get_secret_value())
    return value is not None and value != ""
