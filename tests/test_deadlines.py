"""The Vietnamese deadline grammar: table cells, running text, offsets, properties."""

from __future__ import annotations

import datetime
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.deadlines import Deadline, find_deadlines, parse_deadline

D = datetime.date.fromisoformat

# (cell as written, default_year, expected date or None, recurring)
CELLS: list[tuple[str, int | None, str | None, bool]] = [
    # quarters
    ("Quý I/2025", None, "2025-03-31", False),
    ("Quý II/2025", None, "2025-06-30", False),
    ("Quý III/2025", None, "2025-09-30", False),
    ("Quý IV/2025", None, "2025-12-31", False),
    ("quý 2/2025", None, "2025-06-30", False),
    ("Quý II năm 2025", None, "2025-06-30", False),
    ("trong Quý IV năm 2025", None, "2025-12-31", False),
    ("Quý I, II/2025", None, "2025-06-30", False),
    ("Quý III-IV/2025", None, "2025-12-31", False),
    ("Quý III – IV/2025", None, "2025-12-31", False),
    ("Quý III — IV / 2025", None, "2025-12-31", False),
    ("Quý 3,4/2025", None, "2025-12-31", False),
    ("Quý I và Quý II năm 2025", None, "2025-06-30", False),
    ("Quý I - Quý II năm 2025", None, "2025-06-30", False),
    ("Quý IV/2024 - Quý I/2025", None, "2025-03-31", False),
    ("Quý II-2025", None, "2025-06-30", False),
    ("QUÝ II/2025", None, "2025-06-30", False),
    ("Quy II/2025", None, "2025-06-30", False),
    ("Quý l/2025", None, "2025-03-31", False),  # OCR reads I as l
    ("Q4/2025", None, "2025-12-31", False),
    ("quí II/2025", None, "2025-06-30", False),  # the older spelling
    ("Quý I,II,III/2025", None, "2025-09-30", False),
    ("Quý II và III/2025", None, "2025-09-30", False),
    ("Tháng 10/2025 - Quý I/2026", None, "2026-03-31", False),
    ("quý IV", 2025, "2025-12-31", False),
    ("quý IV", None, None, False),
    ("hết Quý II/2025", None, "2025-06-30", False),
    ("muộn nhất trong Quý III/2023", None, "2023-09-30", False),
    ("đầu quý III/2025", None, "2025-07-31", False),
    ("cuối quý II/2025", None, "2025-06-30", False),
    # parts of a year
    ("6 tháng đầu năm 2025", None, "2025-06-30", False),
    ("6 tháng cuối năm 2025", None, "2025-12-31", False),
    ("9 tháng đầu năm", 2025, "2025-09-30", False),
    ("9 tháng đầu năm", None, None, False),
    ("sáu tháng đầu năm", 2024, "2024-06-30", False),
    ("nửa đầu năm 2025", None, "2025-06-30", False),
    ("nửa cuối năm 2025", None, "2025-12-31", False),
    ("đầu năm 2025", None, "2025-03-31", False),
    ("giữa năm 2025", None, "2025-06-30", False),
    ("cuối năm 2025", None, "2025-12-31", False),
    ("cuối năm", 2025, "2025-12-31", False),
    ("cuối năm", None, None, False),
    ("cuối năm sau", 2025, "2026-12-31", False),
    ("năm nay", 2025, "2025-12-31", False),
    # months
    ("Tháng 9/2025", None, "2025-09-30", False),
    ("tháng 9 năm 2025", None, "2025-09-30", False),
    ("tháng 09/2025", None, "2025-09-30", False),
    ("trong tháng 6/2025", None, "2025-06-30", False),
    ("Trong tháng 01/2025", None, "2025-01-31", False),
    ("T6/2025", None, "2025-06-30", False),
    ("Th.6/2025", None, "2025-06-30", False),
    ("tháng 2/2024", None, "2024-02-29", False),
    ("tháng 6-7/2025", None, "2025-07-31", False),
    ("tháng 6, 7/2025", None, "2025-07-31", False),
    ("Tháng 10 và tháng 11 năm 2025", None, "2025-11-30", False),
    ("Tháng 3 - tháng 6 năm 2025", None, "2025-06-30", False),
    ("Từ tháng 3/2025 đến tháng 10/2025", None, "2025-10-31", False),
    ("tháng 11/2025 - tháng 2/2026", None, "2026-02-28", False),
    ("Tháng 6/2025-12/2025", None, "2025-12-31", False),
    ("tháng 12", 2025, "2025-12-31", False),
    ("tháng 12", None, None, False),
    ("tháng IX/2025", None, "2025-09-30", False),
    ("12/2025", None, "2025-12-31", False),
    ("06/2025", None, "2025-06-30", False),
    ("trước tháng 6 năm 2023", None, "2023-06-30", False),
    ("cuối tháng 6/2025", None, "2025-06-30", False),
    ("đầu tháng 7/2025", None, "2025-07-10", False),
    ("trung tuần tháng 7/2025", None, "2025-07-20", False),
    # days
    ("trước ngày 30/6/2025", None, "2025-06-30", False),
    ("trước 30/6/2025", None, "2025-06-30", False),
    ("Trước 31/12/2025", None, "2025-12-31", False),
    ("ngày 30 tháng 6 năm 2025", None, "2025-06-30", False),
    ("30/06/2025", None, "2025-06-30", False),
    ("30-6-2025", None, "2025-06-30", False),
    ("30.6.2025", None, "2025-06-30", False),
    ("30 / 6 / 2025", None, "2025-06-30", False),
    ("30/6/25", None, "2025-06-30", False),
    ("2025-06-30", None, "2025-06-30", False),
    ("2025-06-30 00:00:00", None, "2025-06-30", False),
    ("Chậm nhất ngày 15/12/2025", None, "2025-12-15", False),
    ("hoàn thành trước ngày 15/9", 2025, "2025-09-15", False),
    ("hoàn thành trước ngày 15/9", None, None, False),
    ("29/2/2024", None, "2024-02-29", False),
    ("từ 01/3/2025 đến 30/6/2025", None, "2025-06-30", False),
    # years and year ranges
    ("Năm 2025", None, "2025-12-31", False),
    ("trong năm 2025", None, "2025-12-31", False),
    ("đến hết năm 2025", None, "2025-12-31", False),
    ("Đến 2030", None, "2030-12-31", False),
    ("2025", None, "2025-12-31", False),
    ("Năm 2025, 2026", None, "2026-12-31", False),
    ("2025-2026", None, "2026-12-31", False),
    ("2025 - 2026", None, "2026-12-31", False),
    ("2025–2026", None, "2026-12-31", False),
    ("giai đoạn 2025-2026", None, "2026-12-31", False),
    ("Giai đoạn 2021 - 2025", None, "2025-12-31", False),
    ("2024 - 2025", None, "2025-12-31", False),
    ("Năm 2024-2025", None, "2025-12-31", False),
    ("Từ năm 2025 đến năm 2026", None, "2026-12-31", False),
    # recurring
    ("năm 2025 và các năm tiếp theo", None, "2025-12-31", True),
    ("Năm 2025 và những năm tiếp theo", None, "2025-12-31", True),
    ("Năm 2025; các năm tiếp theo", None, "2025-12-31", True),
    ("Bắt đầu từ Quý III/2025", None, "2025-09-30", True),
    ("2025-2030 (hằng năm)", None, "2030-12-31", True),
    ("Hằng năm (Quý IV)", 2025, "2025-12-31", True),
    ("Định kỳ hằng năm, đột xuất", None, None, True),
    ("Thường xuyên/hằng năm", None, None, True),
    ("2025 và các năm tiếp theo", None, "2025-12-31", True),
    ("Từ năm 2025 trở đi", None, "2025-12-31", True),
    ("Từ năm 2025", None, "2025-12-31", True),
    ("Thường xuyên", None, None, True),
    ("Thường xuyên", 2025, None, True),
    ("thuong xuyen", None, None, True),
    ("Hằng năm", 2025, None, True),
    ("Hàng năm", None, None, True),
    ("định kỳ hằng năm", None, None, True),
    ("hằng quý", None, None, True),
    ("hàng tháng", None, None, True),
    ("Thường xuyên, hằng năm", None, None, True),
    ("Thường xuyên, liên tục", None, None, True),
    ("Liên tục", None, None, True),
    ("Định kỳ 6 tháng/lần", None, None, True),
    ("Hằng năm (2025)", None, "2025-12-31", True),
    ("Thường xuyên (từ năm 2025)", None, "2025-12-31", True),
    ("Năm 2025 và hằng năm", None, "2025-12-31", True),
    ("Quý I hằng năm", 2025, "2025-03-31", True),
    ("Tháng 12 hằng năm", 2025, "2025-12-31", True),
    ("Trước ngày 20 tháng 12 hằng năm", 2025, "2025-12-20", True),
    ("Hằng năm, trước ngày 15/12", 2025, "2025-12-15", True),
    ("Hoàn thành trong Quý III/2025; duy trì thường xuyên", None, "2025-09-30", True),
    # several expressions in one cell: the latest one
    ("Quý II/2025 (trình UBND tỉnh trước 15/6/2025)", None, "2025-06-30", False),
]

NOT_DEADLINES = [
    "",
    "   ",
    "Theo tiến độ",
    "Theo chỉ đạo của UBND tỉnh",
    "Theo kế hoạch của Bộ",
    "31/6/2025",
    "30/2/2025",
    "trước ngày 31/6/2025",
    "29/2/2025",
    "quý 5/2025",
    "tháng 13/2025",
    "Sở Khoa học và Công nghệ",
    "Trong vòng 30 ngày",
]

PERIODS = [
    ("Quý II/2025", "2025-04-01"),
    ("Quý I, II/2025", "2025-01-01"),
    ("6 tháng cuối năm 2025", "2025-07-01"),
    ("Từ tháng 3/2025 đến tháng 10/2025", "2025-03-01"),
    ("2024 - 2025", "2024-01-01"),
    ("Quý IV/2024 - Quý I/2025", "2024-10-01"),
    ("tháng 11/2025 - tháng 2/2026", "2025-11-01"),
    ("từ 01/3/2025 đến 30/6/2025", "2025-03-01"),
    ("Năm 2025", "2025-01-01"),
    ("trước ngày 30/6/2025", None),  # a single day has no period
    ("cuối năm 2025", None),  # nor a vague part of a year
]


def strip_accents(text: str) -> str:
    """What lazy typing and OCR do: no diacritics, đ → d, case kept."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@pytest.mark.parametrize("cell,default_year,expected,recurring", CELLS)
def test_cell(cell: str, default_year: int | None, expected: str | None, recurring: bool) -> None:
    d = parse_deadline(cell, default_year=default_year)
    assert d is not None
    assert d.date == (D(expected) if expected else None)
    assert d.recurring is recurring
    assert cell[d.start:d.end] == d.text


def test_table_is_large_enough() -> None:
    assert len(CELLS) >= 60


@pytest.mark.parametrize("cell", NOT_DEADLINES)
def test_not_a_deadline(cell: str) -> None:
    assert parse_deadline(cell, default_year=2025) is None


@pytest.mark.parametrize("cell,start", PERIODS)
def test_period_start(cell: str, start: str | None) -> None:
    d = parse_deadline(cell)
    assert d is not None and d.period_start == (D(start) if start else None)


@pytest.mark.parametrize("cell,default_year,expected,recurring", CELLS)
def test_accents_optional(cell: str, default_year: int | None, expected: str | None, recurring: bool) -> None:
    plain = strip_accents(cell)
    d = parse_deadline(plain, default_year=default_year)
    assert d is not None and (d.date, d.recurring) == ((D(expected) if expected else None), recurring)
    assert plain[d.start:d.end] == d.text


def test_whole_span_is_kept() -> None:
    assert parse_deadline("Hoàn thành trước ngày 30/6/2025").text == "trước ngày 30/6/2025"
    assert parse_deadline("Quý III – IV/2025").text == "Quý III – IV/2025"
    assert parse_deadline("Hằng năm (2025)").text == "Hằng năm (2025)"


# --- running text ---------------------------------------------------------------------

CITATIONS = (
    "Thực hiện Quyết định số 749/QĐ-TTg ngày 03/6/2020 của Thủ tướng Chính phủ phê duyệt "
    "Chương trình Chuyển đổi số quốc gia đến năm 2025, định hướng đến năm 2030; Quyết định "
    "số 942/QĐ-TTg ngày 15/6/2021 của Thủ tướng Chính phủ phê duyệt Chiến lược phát triển "
    "Chính phủ điện tử hướng tới Chính phủ số giai đoạn 2021-2025, định hướng đến năm 2030."
)


def test_citations_are_found_but_not_cued() -> None:
    found = find_deadlines(CITATIONS)
    assert [d.text for d in found] == [
        "ngày 03/6/2020", "đến năm 2025", "đến năm 2030", "ngày 15/6/2021",
        "giai đoạn 2021-2025", "đến năm 2030",
    ]
    assert not any(d.cued for d in found)
    assert found[0].date == D("2020-06-03")


@pytest.mark.parametrize("sentence,span,expected", [
    ("Sở KH&CN hoàn thành trước ngày 30/6/2025.", "trước ngày 30/6/2025", "2025-06-30"),
    ("Thời gian thực hiện: Quý II/2025.", "Quý II/2025", "2025-06-30"),
    ("Thời hạn hoàn thành: tháng 9 năm 2025", "tháng 9 năm 2025", "2025-09-30"),
    ("Hoàn thành phê duyệt hồ sơ cấp độ trong Quý I/2023.", "trong Quý I/2023", "2023-03-31"),
    ("Triển khai đầy đủ phương án, muộn nhất trong Quý III/2023.", "muộn nhất trong Quý III/2023", "2023-09-30"),
    ("Phấn đấu đến hết năm 2025, 100% hồ sơ được số hóa.", "đến hết năm 2025", "2025-12-31"),
    ("Xây dựng xong nền tảng chậm nhất 31/12/2025", "chậm nhất 31/12/2025", "2025-12-31"),
    ("Triển khai từ tháng 3/2025 đến tháng 10/2025.", "từ tháng 3/2025 đến tháng 10/2025", "2025-10-31"),
    ("Ban hành Kế hoạch trước ngày 30/10/2025; gửi bản Kế hoạch về Bộ.", "trước ngày 30/10/2025", "2025-10-30"),
])
def test_cued_deadline_in_sentence(sentence: str, span: str, expected: str) -> None:
    found = find_deadlines(sentence)
    assert [(d.text, d.date, d.cued) for d in found] == [(span, D(expected), True)]


def test_several_in_one_paragraph_left_to_right() -> None:
    text = ("Hoàn thành trong 6 tháng đầu năm 2025, báo cáo trước ngày 15/12 và "
            "duy trì từ năm 2026 trở đi; rà soát thường xuyên.")
    found = find_deadlines(text, default_year=2025)
    assert [(d.text, d.date, d.recurring) for d in found] == [
        ("trong 6 tháng đầu năm 2025", D("2025-06-30"), False),
        ("trước ngày 15/12", D("2025-12-15"), False),
        ("từ năm 2026 trở đi", D("2026-12-31"), True),
        ("thường xuyên", None, True),
    ]
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))


@pytest.mark.parametrize("sentence", [
    "Tổ chức 2 lần trong năm; bảo đảm chất lượng.",
    "Nghị quyết số 06/2025/NQ-HĐND về chính sách hỗ trợ",
    "tỷ lệ 3/4 số xã có điểm phục vụ",
    "Hội nghị Việt Nam 2025 về chuyển đổi số",
    "đề nghị Quý Cơ quan xây dựng kế hoạch",
    "100% hồ sơ được số hóa, 80% thủ tục trực tuyến toàn trình",
    "Quy trình nội bộ, quy định, quy chế",
    "Kế hoạch số 123/KH-UBND",
    "ngày 30/6 bổ sung sau",  # a day with no year, and no default year: undated, kept
])
def test_not_deadlines_in_text(sentence: str) -> None:
    found = find_deadlines(sentence)
    assert all(d.date is None for d in found)
    assert len(found) <= 1 and (not found or found[0].text == "ngày 30/6")


def test_bare_numbers_need_a_preposition_in_text() -> None:
    assert find_deadlines("chiếm 30/6 phần") == []
    assert [d.text for d in find_deadlines("báo cáo trước 30/6", default_year=2025)] == ["trước 30/6"]
    assert find_deadlines("dân số 2025 người") == []
    assert [d.date for d in find_deadlines("hoàn thành đến 2025")] == [D("2025-12-31")]


def test_horizon_is_not_a_cue() -> None:
    found = find_deadlines("Chiến lược phát triển đến năm 2025, tầm nhìn đến năm 2045")
    assert [d.text for d in found] == ["đến năm 2025", "đến năm 2045"]
    assert not any(d.cued for d in found)


def test_never_today() -> None:
    assert parse_deadline("quý IV").date is None
    assert parse_deadline("tháng 12").date is None
    assert parse_deadline("ngày 15/9").date is None
    assert parse_deadline("Hằng năm", default_year=2025).date is None


def test_offsets_with_decomposed_and_odd_characters() -> None:
    text = unicodedata.normalize("NFD", "Hoàn thành trước ngày 30/6/2025 và trong Quý IV năm 2025")
    found = find_deadlines(text)
    assert [d.date for d in found] == [D("2025-06-30"), D("2025-12-31")]
    for d in found:
        assert text[d.start:d.end] == d.text
    text = "ﬁ\u0301 Quý IV/2025\u0301 tiếp"  # a ligature and stray marks shift the folded text
    (d,) = find_deadlines(text)
    assert d.text == "Quý IV/2025\u0301" and d.date == D("2025-12-31")


def test_model_shape() -> None:
    d = parse_deadline("Quý II/2025")
    assert isinstance(d, Deadline)
    assert d.model_dump() == {
        "text": "Quý II/2025", "start": 0, "end": 11, "date": D("2025-06-30"),
        "period_start": D("2025-04-01"), "recurring": False, "cued": False,
    }


# --- properties ----------------------------------------------------------------------

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
LAST_DAY = {1: 31, 2: 30, 3: 30, 4: 31}
TOKENS = [
    "Quý", "quy", "I", "II", "IV", "/", "-", "–", ",", "(", ")", "năm", "nam", "tháng", "ngày",
    "trước", "đến", "từ", "hết", "thường xuyên", "hằng năm", "6", "12", "30", "31", "2025",
    "2026", "19", "6/2025", "30/6", "đầu", "cuối", "nửa", "giai đoạn", "và", ".", "\u0301", " ",
]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    for d in find_deadlines(text, default_year=2025):
        assert text[d.start:d.end] == d.text
    d = parse_deadline(text)
    assert d is None or text[d.start:d.end] == d.text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=25).map(" ".join),
       st.one_of(st.none(), st.integers(1900, 2199)))
def test_never_raises_on_near_misses(text: str, default_year: int | None) -> None:
    found = find_deadlines(text, default_year=default_year)
    for d in found:
        assert text[d.start:d.end] == d.text and d.text == d.text.strip()
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))
    parse_deadline(text, default_year=default_year)


@given(st.integers(1, 4), st.integers(2000, 2099))
def test_quarter_roman(q: int, y: int) -> None:
    d = parse_deadline(f"Quý {ROMAN[q]}/{y}")
    assert d.date == datetime.date(y, 3 * q, LAST_DAY[q])
    assert d.period_start == datetime.date(y, 3 * q - 2, 1)
    assert [x.date for x in find_deadlines(f"hoàn thành trong quý {q} năm {y}")] == [d.date]


@given(st.dates(datetime.date(1900, 1, 1), datetime.date(2199, 12, 31)), st.booleans(), st.sampled_from("/-."))
def test_day_before(day: datetime.date, padded: bool, sep: str) -> None:
    dd, mm = (f"{day.day:02d}", f"{day.month:02d}") if padded else (str(day.day), str(day.month))
    text = f"trước ngày {dd}{sep}{mm}{sep}{day.year}"
    assert parse_deadline(text).date == day
    (found,) = find_deadlines(f"Hoàn thành {text}.")
    assert found.date == day and found.cued


@given(st.sampled_from(CELLS), st.sampled_from([str.lower, str.upper, lambda s: s]))
def test_accents_and_case_do_not_matter(row: tuple, case) -> None:
    cell, default_year, expected, recurring = row
    a = parse_deadline(cell, default_year=default_year)
    b = parse_deadline(case(strip_accents(cell)), default_year=default_year)
    assert (a.date, a.recurring, a.period_start) == (b.date, b.recurring, b.period_start)
