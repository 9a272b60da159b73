"""Where the new words end: each client's quote header and signature in plain text, and the look-alikes
in people's own words that must stay."""

import pytest

from services.intake.mail.domain.html_text import html_to_text, take_marks
from services.intake.mail.domain.trimming import new_words

NEW = "UPS还在报警，请尽快派人。"


@pytest.mark.parametrize(
    "tail",
    [
        "-----Original Message-----\nFrom: 售后 <s@x.example>\nSent: Monday, December 7, 2026 2:05 PM",
        "-----邮件原件-----\n发件人: 售后 <s@x.example>\n发送时间: 2026年12月7日 14:05\n收件人: 张三",
        "________________________________\nFrom: 售后 <s@x.example>\nSent: 2026年12月7日 14:05\nTo: 张三",
        "发件人: 售后 <s@x.example> 发送时间: 2026年12月7日 14:05 收件人: 张三 主题: 回复",
        "*发件人:* 售后 <s@x.example>\n*发送时间:* 2026年12月7日 11:10",
        '------------------ 原始邮件 ------------------\n发件人: "售后"<s@x.example>;',
        '------------------&nbsp;Original&nbsp;------------------\nFrom: &nbsp;"售后"<s@x.example&gt;;',
        "------------------\xa0原始邮件\xa0------------------",
        "---- 回复的原邮件 ----\n| 发件人 | 售后 |",
        "在 2026年12月7日，下午2:05，售后 <s@x.example> 写道：\n> 您好",
        "On Mon, Dec 7, 2026 at 2:05 PM 售后 <\ns@x.example> wrote:\n> hi",
        '在 2026-12-07 14:05:33，"售后" <s@x.example> 写道：\n>您好',
        'At 2026-12-07 14:05:33, "售后" <s@x.example> wrote:\n>hi',
        "> 您好，工单已受理",
        "-" * 66 + "\n发件人：售后 <s@x.example>\n发送时间：2026年12月7日(星期一) 14:05\n主　题：报修",
        "-- \n张三\n技术部",
        "发自我的iPhone",
        "Sent from my iPhone",
        "发自网易邮箱大师",
        "——————————————\n张三 | 技术部\n电话 021-6888 0000",
        "此邮件及其附件含有某某集团的保密信息，仅限于发送给上面地址中列出的个人或群组。禁止任何其他人使用。",
        "免责声明：本邮件仅供指定收件人使用，如您误收本邮件，请立即删除。",
        "This email and any attachments are confidential and intended solely for the addressee.",
    ],
)
def test_the_history_and_the_signature_are_trimmed(tail: str) -> None:
    assert new_words(f"{NEW}\n\n{tail}\n更多历史内容") == NEW


@pytest.mark.parametrize(
    "words",
    [
        "报告第3页写道：\n电池需要更换。",  # "wrote:" that names no moment
        "本邮件附件是保密的巡检报告，请查收。\n共12页。",  # "保密" said of the attachment
        "问题描述\n==========\nUPS报警",  # a heading's underline
        "温度>40度\n湿度正常",
        "在3号楼的日志里\n工程师写道：\n电池老化",  # a folded "wrote:" that names no moment
        "来自3号楼的报修：\nUPS报警",
        "—————  2026-12-07  —————\n\n李工  13:58\n\nUPS在叫",  # a WeChat chat's dated rule
    ],
)
def test_peoples_words_that_look_like_marks_stay(words: str) -> None:
    assert new_words(words) == words


def test_a_forward_keeps_the_forwarded_mail() -> None:
    text = f"{NEW}\n\n-----Original Message-----\nFrom: 客户 <c@x.example>\n\n原始报修内容"

    assert new_words(text, forward=True).endswith("原始报修内容")
    assert new_words(text) == NEW


def test_html_marks_where_the_quote_and_the_signature_begin() -> None:
    html = (
        f"<div>{NEW}</div><img src='cid:photo%40site'><div id='Signature'>张三</div>"
        "<div id='divRplyFwdMsg'>发件人: 售后</div><div>旧内容</div>"
    )
    words, shown = take_marks(new_words(html_to_text(html)))

    assert words == NEW
    assert shown == {"photo@site"}
    assert "旧内容" in take_marks(html_to_text(html))[0]


@pytest.mark.parametrize(
    "html",
    [
        f"<div>{NEW}</div><div><includetail><div>旧内容</div></includetail></div>",
        f"<div>{NEW}</div><blockquote id='isReplyContent'>旧内容</blockquote>",
        f"<div>{NEW}</div><div class='gmail_quote'>旧内容</div>",
        f"<div>{NEW}</div><blockquote type='cite'>旧内容</blockquote>",
        f"<div>{NEW}</div><hr id='replySplit'><div>旧内容</div>",
        f"<div>{NEW}</div><hr><div>张三</div>",
    ],
)
def test_each_clients_html_quote_container_is_cut(html: str) -> None:
    assert take_marks(new_words(html_to_text(html)))[0] == NEW
