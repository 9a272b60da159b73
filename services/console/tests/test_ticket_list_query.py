"""The list page's question (domain/ticket_list.py): what the form sends becomes the archive's query,
its pages' links keep it, and an export's cells read as words."""

from __future__ import annotations

from services.console.domain.ticket_list import ListQuery, Pages, export_rows


def test_the_form_becomes_the_archives_query_without_blanks_or_unknown_keys() -> None:
    query = ListQuery.of(
        [("q", " 背景音乐 "), ("status", "new"), ("status", "assigned"), ("site_code", ""), ("colour", "red"),
         ("sort", "priority"), ("sort", "ticket_id"), ("page", "3")]
    )  # fmt: skip
    assert query.archive_params() == {"q": ["背景音乐"], "status": ["new", "assigned"], "sort": ["priority"]}
    assert query.page == 3
    assert query.archive_params(site_code="HH138")["site_code"] == ["HH138"]  # a customer's site, whatever was asked
    assert (
        query.link(page=4) == "q=%E8%83%8C%E6%99%AF%E9%9F%B3%E4%B9%90&status=new&status=assigned&sort=priority&page=4"
    )
    for page in ("0", "-1", "x", "9999999"):
        assert ListQuery.of([("page", page)]).page == 1


def test_pages_know_their_neighbours() -> None:
    assert (Pages.of(0, 1).count, Pages.of(0, 1).next) == (1, None)
    middle = Pages.of(120, 2, per_page=50)
    assert (middle.count, middle.previous, middle.next) == (3, 1, 3)


def test_an_export_reads_as_words() -> None:
    item = {"ticket_id": "HH138-20261125-0001", "status": "on_site", "breached": True, "engineer_name": None,
            "engineer_id": "E01", "reported_at": "2026-11-25T02:00:00+00:00", "description": None}  # fmt: skip
    rows = export_rows(
        [item],
        ["ticket_id", "status", "breached", "engineer_name", "reported_at", "description"],
        label=lambda code: {"on_site": "到场"}.get(code, code),
        local=lambda moment: f"local {moment}",
        yes_no=lambda yes: "是" if yes else "否",
    )
    assert rows == [["HH138-20261125-0001", "到场", "是", "E01", "local 2026-11-25T02:00:00+00:00", ""]]
