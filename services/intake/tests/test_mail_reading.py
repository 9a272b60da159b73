"""Reading a raw mail as each client sends it: who sent it, its subject in Chinese, only the new words (the
quoted history and the signature trimmed), in each charset and encoding Chinese offices use."""

from datetime import datetime, timedelta, timezone

import pytest

from services.intake.mail.domain.reading import read_mail
from testkit import mail_shapes, mails
from testkit.mail_mime import File

WORDS = mails.WORDS
QUOTED = mail_shapes.Quoted()
TICKET_MAIL = "<ack-HH138-20261207-0001@integrator.example>"


def _assert_only_new_words(words: str) -> None:
    assert words.startswith(WORDS)
    for history in ("工单已受理", "报修已受理", "原始邮件", "Original", "发件人", "写道", "wrote", "发自我的iPhone"):
        assert history not in words


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(mails.outlook_mail(), id="outlook-zh"),
        pytest.param(mails.outlook_mail(english=True), id="outlook-en"),
        pytest.param(mails.outlook_mail(with_html=False), id="outlook-plain-only"),
        pytest.param(mails.foxmail_mail(), id="foxmail"),
        pytest.param(mails.foxmail_mail(mailer="qq"), id="qq-mail"),
        pytest.param(mails.foxmail_mail(mailer="qq", english=True), id="qq-mail-english-nbsp"),
        pytest.param(mails.foxmail_mail(mailer="exmail"), id="tencent-exmail"),
        pytest.param(mails.iphone_mail(), id="iphone-zh"),
        pytest.param(mails.iphone_mail(english=True), id="iphone-en"),
        pytest.param(mails.netease_mail(), id="netease"),
        pytest.param(mails.alimail_mail(), id="alibaba-mail"),
    ],
)
def test_each_clients_reply_gives_the_sender_the_subject_and_only_the_new_words(raw: bytes) -> None:
    mail = read_mail(raw)

    assert mail.sender.email in ("zhangsan@customer.example", "zhangsan@163.com")
    assert mail.sender.name == "张三"
    assert mail.subject.endswith("[HH138-20261207-0001] 机房UPS报警")
    _assert_only_new_words(mail.words)
    assert QUOTED.words in mail.text  # the whole text keeps the history
    assert mail.in_reply_to == TICKET_MAIL
    assert mail.references[-1] == TICKET_MAIL
    assert mail.automatic is None
    assert mail.sender_verified
    assert mail.problems == ()


def test_signatures_that_clients_mark_are_trimmed() -> None:
    assert read_mail(mails.foxmail_mail()).words == WORDS  # the name under Foxmail's rule
    assert read_mail(mails.iphone_mail()).words == WORDS  # 发自我的iPhone
    dashed = read_mail(mails.build_mail(words=f"{WORDS}\n\n-- \n张三\n技术部 13800000000"))
    assert dashed.words == WORDS
    gmail = read_mail(mails.build_mail(html=f'<div>{WORDS}</div><div class="gmail_signature">张三 | 技术部</div>'))
    assert gmail.words == WORDS


def test_a_chinese_company_disclaimer_is_trimmed() -> None:
    disclaimer = "此邮件及其附件含有某某集团的保密信息，仅限于发送给上面地址中列出的个人或群组。"
    mail = read_mail(mails.build_mail(words=f"{WORDS}\n\n{disclaimer}\n如果您错误收到了本邮件，请立即删除。"))

    assert mail.words == WORDS
    assert disclaimer in mail.text


def test_an_iphone_reply_with_photos_keeps_them_and_its_words() -> None:
    mail = read_mail(mails.iphone_mail(photos=[mail_shapes.jpeg(seed=3), mail_shapes.heic_head()]))

    assert mail.words == WORDS
    assert [(a.filename, a.is_photo, a.refused_because) for a in mail.attachments] == [
        ("IMG_4001.jpeg", True, None),
        ("IMG_4002.HEIC", True, None),
    ]
    assert mail.attachments[0].data == mail_shapes.jpeg(seed=3)


def test_a_forwarded_wechat_chat_is_read_whole_with_its_pictures() -> None:
    mail = read_mail(mails.wechat_forward(photos=[mail_shapes.jpeg(seed=5)]))

    assert mail.subject == "李工和张三的聊天记录"
    assert "李工  13:58" in mail.words
    assert "我先把负载切到旁路了，你们尽快派人" in mail.words
    assert [a.is_photo for a in mail.attachments] == [True]


def test_a_forward_keeps_what_it_forwards() -> None:
    mail = read_mail(mails.outlook_mail(subject="转发: 机房UPS报警", words="请看下面客户的报修。"))

    assert mail.words.startswith("请看下面客户的报修。")
    assert QUOTED.words in mail.words


@pytest.mark.parametrize(
    ("charset", "transfer"),
    [
        ("gb2312", "base64"),
        ("GBK", "quoted-printable"),
        ("x-gbk", "8bit"),
        ("cp936", "base64"),
        ("gb18030", "quoted-printable"),
        ("big5", "base64"),
        ("utf-8", "8bit"),
    ],
)
def test_each_charset_and_transfer_encoding_is_read(charset: str, transfer: str) -> None:
    if charset == "big5":
        name, subject, words = "張三", "機房UPS報警", "機房UPS報警，電池燈閃紅燈"
    else:  # 喆, 镕 and 𠀀 are not GB2312: mail labelled GB2312 carries them all the same, as GB18030
        name, subject, words = "张三", "机房UPS报警：喆", "机房UPS报警，镕铖𠀀（GB2312 之外的字）"
    raw = mails.build_mail(
        sender=(name, "a@customer.example"), subject=subject, words=words, charset=charset, transfer=transfer
    )
    mail = read_mail(raw)

    assert (mail.sender.name, mail.subject, mail.words) == (name, subject, words)
    assert mail.problems == ()


def test_html_only_mail_becomes_text_without_scripts_and_with_its_line_breaks() -> None:
    html = (
        "<html><head><title>标题</title><style>p {color: red}</style><script>alert('x')</script></head><body>"
        "<p>机房&nbsp;UPS 报警&amp;冒烟，温度 &gt; 40&#8451;</p><div>第二行<br>第三行</div>"
        "<table><tr><td>设备</td><td>UPS-01</td></tr></table><ul><li>电池灯</li><li>蜂鸣器</li></ul></body></html>"
    )
    mail = read_mail(mails.build_mail(html=html, html_only=True))

    assert "机房 UPS 报警&冒烟，温度 > 40℃" in mail.text
    assert "第二行\n第三行" in mail.text
    assert "UPS-01" in mail.text
    assert "蜂鸣器" in mail.text
    for hidden in ("alert", "color", "标题"):
        assert hidden not in mail.text
    assert mail.words == mail.text


def test_rfc_2047_headers_as_offices_send_them() -> None:
    subject = "【紧急】3号楼机房UPS报警，请尽快处理"
    split = read_mail(mails.build_mail(subject=subject, charset="gbk", split_mid_character=True))
    q_words = read_mail(mails.build_mail(subject=subject, charset="utf-8", header_encoding="Q"))
    raw_gbk = read_mail(mails.build_mail(subject=subject, charset="gbk", header_encoding="8bit"))
    quoted_name = read_mail(mails.build_mail(sender=("李 四", "Li.Si@Customer.Example"), quoted_names=True))

    assert split.subject == q_words.subject == raw_gbk.subject == subject
    assert raw_gbk.sender.name == "张三"
    assert quoted_name.sender.name == "李 四"
    assert quoted_name.sender.email == "li.si@customer.example"
    glued = read_mail(b"Subject: =?gbk?B?u/q3vw==?=UPS=?utf-8?B?5oql6K2m?=\r\nFrom: a@b.example\r\n\r\nx")
    assert glued.subject == "机房UPS报警"


def test_addresses_ids_and_the_date_are_normalised() -> None:
    raw = mails.build_mail(
        sender=("张三", "ZhangSan@Customer.EXAMPLE"),
        to=["Service@Integrator.Example", '"=?utf-8?B?5YC854+t?=" <Duty@Integrator.Example>'],
        cc=["Boss@Customer.Example"],
        message_id="< 1234.abcd @customer.example >",
        in_reply_to=TICKET_MAIL,
        references=["<a@x.example>", "<b@\r\n x.example>", TICKET_MAIL],
        headers=[("Reply-To", "Desk <Desk@Customer.Example>")],
    )
    mail = read_mail(raw)

    assert mail.sender.email == "zhangsan@customer.example"
    assert mail.to == ("service@integrator.example", "duty@integrator.example")
    assert mail.cc == ("boss@customer.example",)
    assert mail.message_id == "<1234.abcd@customer.example>"
    assert mail.references == ("<a@x.example>", "<b@x.example>", TICKET_MAIL)
    assert mail.reply_to is not None
    assert mail.reply_to.email == "desk@customer.example"
    assert mail.sent_at == datetime(2026, 12, 7, 14, 35, 12, tzinfo=timezone(timedelta(hours=8)))


def test_a_file_name_is_decoded_and_loses_its_path() -> None:
    files = [File("..\\..\\巡检报告.pdf", "application/pdf", mail_shapes.pdf())]
    attachment = read_mail(mails.build_mail(files=files, charset="gbk")).attachments[0]

    assert attachment.filename == "巡检报告.pdf"
    assert not attachment.is_photo
    assert attachment.data == mail_shapes.pdf()
