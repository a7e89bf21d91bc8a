"""Vietnamese text handling: normalisation, heading grammar, the spaCy pipeline, roles,
quantities and indicator matching — each rule on the phrasings real plans use."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from extract.headings import parse_heading_number
from extract.indicators import floor_check, match_indicator
from extract.catalogue import catalogue
from extract.nlp import analyse, pipeline, spans
from extract.quantities import find_quantities, parse_number
from extract.tasks import roles_from_text
from ingest.normalize import clean, fold, fold_aligned


# ---------------------------------------------------------------- normalisation
@pytest.mark.parametrize("a,b", [("hoà bình", "hòa bình"), ("Thuỷ lợi", "Thủy lợi"), ("khoẻ", "khỏe"),
                                 ("Uỷ ban", "Ủy ban"), ("hoá đơn", "hóa đơn")])
def test_old_and_new_tone_marks_compare_equal(a, b):
    assert clean(a) == clean(b)
    assert clean(unicodedata.normalize("NFD", a)) == clean(b)


@pytest.mark.parametrize("word", ["hoặc", "hoàn thành", "quý", "toàn", "Hoằng Hóa", "người", "thuyền"])
def test_tone_convention_leaves_other_syllables_alone(word):
    assert clean(word) == unicodedata.normalize("NFC", word)


def test_whitespace_and_folding():
    assert clean("Sở  TT&TT\u00a0chủ trì ,phối hợp\u200b") == "Sở TT&TT chủ trì,phối hợp"
    assert fold("Định danh điện tử VNeID") == "dinh danh dien tu vneid"
    text = "Đạt tối thiểu 95% — Quý II"
    assert len(fold_aligned(text)) == len(text)


# ---------------------------------------------------------------- heading grammar
@pytest.mark.parametrize("text,level,number,title", [
    ("Phần I. ĐÁNH GIÁ KẾT QUẢ", 1, "Phần I", "ĐÁNH GIÁ KẾT QUẢ"),
    ("PHẦN THỨ HAI", 1, "PHẦN THỨ HAI", ""),
    ("A. ĐÁNH GIÁ", 1, "A", "ĐÁNH GIÁ"),
    ("II. MỤC TIÊU", 2, "II", "MỤC TIÊU"),
    ("IV - GIẢI PHÁP", 2, "IV", "GIẢI PHÁP"),
    ("3. Hạ tầng số", 3, "3", "Hạ tầng số"),
    ("2.1. Công tác xây dựng", 4, "2.1", "Công tác xây dựng"),
    ("9.3 Truyền thông", 4, "9.3", "Truyền thông"),
    ("a) Kết quả đạt được:", 5, "a", "Kết quả đạt được:"),
])
def test_heading_numbers(text, level, number, title):
    hn = parse_heading_number(text)
    assert (hn.level, hn.number, hn.title) == (level, number, title)


@pytest.mark.parametrize("text", ["III/2025.", "6/2025 hoàn thành", "Phần mềm quản lý văn bản", "- Tỷ lệ hồ sơ",
                                  "2025-2026", "Quý II/2025"])
def test_not_headings(text):
    assert parse_heading_number(text) is None


# ---------------------------------------------------------------- the spaCy pipeline
def test_pipeline_components_are_registered_rules():
    nlp = pipeline()
    assert nlp.pipe_names == ["dxplan_roles", "dxplan_units", "dxplan_deadlines", "dxplan_quantities"]
    text = "(Sở TT&TT chủ trì, phối hợp với Công an tỉnh; hoàn thành trong Quý III/2025)"
    doc = analyse(text, 2025)
    assert doc.text == text  # tokens are aligned to the original text
    assert [s.text for s in spans(doc, "UNIT")] == ["Sở TT&TT", "Công an tỉnh"]
    assert [s.kb_id_ for s in spans(doc, "UNIT")] == ["Sở Thông tin và Truyền thông", "Công an tỉnh"]
    assert [s.text for s in spans(doc, "LEAD")] == ["chủ trì"]
    assert [s.text for s in spans(doc, "COORD")] == ["phối hợp với"] or [s.text for s in spans(doc, "COORD")] == ["phối hợp"]
    assert any("Quý III/2025" in s.text for s in spans(doc, "DEADLINE"))


def test_role_words_without_accents():
    doc = analyse("So TT&TT chu tri, phoi hop voi Cong an tinh", 2025)
    assert spans(doc, "LEAD") and spans(doc, "COORD")


# ---------------------------------------------------------------- roles
@pytest.mark.parametrize("text,lead,coord,deadline,recurring", [
    ("Nâng cấp mạng (Sở TT&TT chủ trì, phối hợp với Công an tỉnh; hoàn thành trong tháng 6/2025).",
     "Sở Thông tin và Truyền thông", ["Công an tỉnh"], date(2025, 6, 30), False),
    ("Giao Sở Nội vụ chủ trì rà soát nhân lực, hoàn thành trước ngày 30/9/2025.",
     "Sở Nội vụ", [], date(2025, 9, 30), False),
    ("Triển khai trợ lý ảo. Đơn vị chủ trì: VP UBND tỉnh; phối hợp: Sở TT&TT, Sở Tư pháp; thời gian hoàn thành: Quý II/2025.",
     "Văn phòng Ủy ban nhân dân tỉnh", ["Sở Thông tin và Truyền thông", "Sở Tư pháp"], date(2025, 6, 30), False),
    ("Sở Y tế triển khai Sổ sức khỏe điện tử; thời gian: 6 tháng đầu năm 2025.", "Sở Y tế", [], date(2025, 6, 30), False),
    ("Sở Tư pháp chủ trì, phối hợp với Sở Tài chính và Sở TT&TT tham mưu UBND tỉnh ban hành Quy chế. Thời gian thực hiện: 2025.",
     "Sở Tư pháp", ["Sở Tài chính", "Sở Thông tin và Truyền thông"], date(2025, 12, 31), False),
    ("Rà soát, cập nhật Kiến trúc chính quyền số (Cục CNTT; hằng năm).", "Cục Công nghệ thông tin", [], None, True),
    ("Tổ chức hội thảo chia sẻ kinh nghiệm chuyển đổi số giữa các địa phương.", None, [], None, False),
    ("Duy trì hoạt động của Tổ công nghệ số cộng đồng. Thời gian: Thường xuyên.", None, [], None, True),
    ("Xây dựng cơ sở dữ liệu theo Quyết định số 749/QĐ-TTg ngày 03/6/2020 của Thủ tướng Chính phủ.", None, [], None, False),
])
def test_roles_and_deadlines(text, lead, coord, deadline, recurring):
    lead_u, coord_u, dl, _ = roles_from_text(text, 2025)
    assert (lead_u.canonical if lead_u else None) == lead
    assert [u.canonical for u in coord_u] == coord
    assert (dl.date if dl else None) == deadline
    assert bool(dl and dl.recurring) == recurring


# ---------------------------------------------------------------- quantities
@pytest.mark.parametrize("text,values", [
    ("đạt tối thiểu 92,5 % và trên 95%", [(92.5, "%", ">="), (95.0, "%", ">")]),
    ("Phấn đấu 100% TTHC", [(100.0, "%", ">=")]),
    ("không quá 5% hồ sơ trễ hạn", [(5.0, "%", "<=")]),
    ("Hình thành tối thiểu 01 trung tâm dữ liệu", [(1.0, "trung tâm", ">=")]),
    ("có 100.000 lượt người được tập huấn", [(100000.0, "lượt người", ">=")]),
    ("Quyết định 749/QĐ-TTg năm 2020", []),
])
def test_quantities(text, values):
    assert [(q.value, q.unit, q.comparator) for q in find_quantities(text)] == values


@pytest.mark.parametrize("raw,value", [("92,5", 92.5), ("92.5", 92.5), ("100.000", 100000.0), ("1.200", 1200.0), ("01", 1.0)])
def test_numbers(raw, value):
    assert parse_number(raw) == value


# ---------------------------------------------------------------- indicators
@pytest.mark.parametrize("text,indicator", [
    ("Tỷ lệ thủ tục hành chính có đủ điều kiện được cung cấp dịch vụ công trực tuyến toàn trình đạt 95%", 1),
    ("100% TTHC đủ điều kiện được cung cấp DVCTT toàn trình", 1),
    ("Tỷ lệ hồ sơ trực tuyến toàn trình đạt 60%", 2),
    ("100% người dùng dịch vụ công trực tuyến được định danh, xác thực qua VNeID", 3),
    ("Tỷ lệ cấp kết quả giải quyết thủ tục hành chính điện tử đạt 100%", 4),
    ("Mức độ hài lòng của người dân, doanh nghiệp đạt 90%", 5),
    ("Tỷ lệ hồ sơ công việc cấp huyện được xử lý trên môi trường mạng đạt 80%", 8),
    ("Tỷ trọng kinh tế số trong GRDP đạt 10%", 9),
    ("Tỷ lệ doanh nghiệp nhỏ và vừa sử dụng nền tảng số đạt trên 50%", 11),
    ("100% bệnh viện triển khai Sổ sức khỏe điện tử tích hợp trên ứng dụng VNeID", 20),
    ("Tỷ lệ cán bộ, công chức được bồi dưỡng kỹ năng số đạt 85%", None),
    ("Tỷ lệ người dân có hồ sơ sức khỏe điện tử đạt 75%", None),
    ("Tỷ lệ doanh nghiệp sử dụng hóa đơn điện tử đạt 95%", None),
    ("95% cuộc họp của cơ quan được tổ chức trực tuyến", None),
])
def test_indicator_matching_with_none(text, indicator):
    m = match_indicator(text)
    assert (m.indicator_id if m else None) == indicator


def test_floors_by_issuer_kind_and_level():
    ind1, ind8 = catalogue().get(1), catalogue().get(8)
    assert floor_check(ind1, "province", 95, "%", ">=", None, "") == (95, True)
    assert floor_check(ind1, "province", 90, "%", ">=", None, "") == (95, False)
    assert floor_check(ind1, "ministry", 85, "%", ">=", None, "") == (80, True)
    assert floor_check(ind8, "province", 75, "%", ">=", "huyện", "") == (80, False)
    assert floor_check(ind8, "province", 60, "%", ">=", "xã", "") == (60, True)
