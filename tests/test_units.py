"""The unit gazetteer: surface forms → canonical names, mentions in sentences with
offsets, no units where there are none, 2025 successors, speed."""

from __future__ import annotations

import datetime
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.units import (
    KINDS, UnitMention, all_units, canonical_unit, find_units, unit_kind, unit_patterns,
    unit_successor,
)
from ingest.normalize import clean

SO_TTTT = "Sở Thông tin và Truyền thông"
UBND_HUYEN = "Ủy ban nhân dân các huyện, thị xã, thành phố"

# (as written in plans, canonical)
SURFACES = [
    # provincial departments, abbreviations in every spelling
    ("Sở TT&TT", SO_TTTT),
    ("Sở TTTT", SO_TTTT),
    ("Sở TT và TT", SO_TTTT),
    ("Sở TT-TT", SO_TTTT),
    ("Sở Thông tin - Truyền thông", SO_TTTT),
    ("SỞ THÔNG TIN VÀ TRUYỀN THÔNG", SO_TTTT),
    ("So Thong tin va Truyen thong", SO_TTTT),
    ("Sở TT&TT tỉnh", SO_TTTT),
    ("Sở Thông tin và Truyền thông thành phố", SO_TTTT),
    ("Sở TT&TT tỉnh Quảng Trị", SO_TTTT),
    ("Sở KH&ĐT", "Sở Kế hoạch và Đầu tư"),
    ("Sở KHĐT", "Sở Kế hoạch và Đầu tư"),
    ("Sở KH&DT", "Sở Kế hoạch và Đầu tư"),
    ("Sở KH&CN", "Sở Khoa học và Công nghệ"),
    ("Sở KHCN", "Sở Khoa học và Công nghệ"),
    ("Sở GD&ĐT", "Sở Giáo dục và Đào tạo"),
    ("Sở GDĐT", "Sở Giáo dục và Đào tạo"),
    ("Sở NN&PTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("Sở NNPTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("Sở TN&MT", "Sở Tài nguyên và Môi trường"),
    ("Sở TNMT", "Sở Tài nguyên và Môi trường"),
    ("Sở LĐ-TB&XH", "Sở Lao động - Thương binh và Xã hội"),
    ("Sở LĐTBXH", "Sở Lao động - Thương binh và Xã hội"),
    ("Sở Lao động, Thương binh và Xã hội", "Sở Lao động - Thương binh và Xã hội"),
    ("Sở VH,TT&DL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("Sở VHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("Sở Văn hoá, Thể thao và Du lịch", "Sở Văn hóa, Thể thao và Du lịch"),
    ("Sở Văn hóa và Thể thao", "Sở Văn hóa và Thể thao"),
    ("Sở Du lịch", "Sở Du lịch"),
    ("Sở GTVT", "Sở Giao thông vận tải"),
    ("Sở Công thương", "Sở Công Thương"),
    ("sở y tế", "Sở Y tế"),
    ("SỞ NỘI VỤ", "Sở Nội vụ"),
    ("Sở Tư pháp", "Sở Tư pháp"),
    ("Sở Tài chính", "Sở Tài chính"),
    ("Sở Xây dựng", "Sở Xây dựng"),
    ("Sở Ngoại vụ", "Sở Ngoại vụ"),
    ("Sở NN&MT", "Sở Nông nghiệp và Môi trường"),
    ("Sở Dân tộc và Tôn giáo", "Sở Dân tộc và Tôn giáo"),
    ("Thanh tra tỉnh", "Thanh tra tỉnh"),
    ("VP UBND tỉnh", "Văn phòng Ủy ban nhân dân tỉnh"),
    ("VPUBND tỉnh", "Văn phòng Ủy ban nhân dân tỉnh"),
    ("Văn phòng UBND tỉnh", "Văn phòng Ủy ban nhân dân tỉnh"),
    ("Văn phòng Đoàn ĐBQH và HĐND tỉnh",
     "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh"),
    # other province-level bodies
    ("UBND tỉnh", "Ủy ban nhân dân tỉnh"),
    ("UỶ BAN NHÂN DÂN TỈNH", "Ủy ban nhân dân tỉnh"),
    ("UBND thành phố", "Ủy ban nhân dân tỉnh"),
    ("UBND TP. Hồ Chí Minh", "Ủy ban nhân dân tỉnh"),
    ("UBND tỉnh Quảng Trị", "Ủy ban nhân dân tỉnh"),
    ("HĐND tỉnh", "Hội đồng nhân dân tỉnh"),
    ("CA tỉnh", "Công an tỉnh"),
    ("Công an tỉnh Quảng Trị", "Công an tỉnh"),
    ("BCH Quân sự tỉnh", "Bộ Chỉ huy Quân sự tỉnh"),
    ("Bộ CHQS tỉnh", "Bộ Chỉ huy Quân sự tỉnh"),
    ("BHXH tỉnh", "Bảo hiểm xã hội tỉnh"),
    ("Cục Thuế tỉnh", "Cục Thuế tỉnh"),
    ("Kho bạc Nhà nước tỉnh", "Kho bạc Nhà nước tỉnh"),
    ("NHNN chi nhánh tỉnh", "Ngân hàng Nhà nước chi nhánh tỉnh"),
    ("Đài PT-TH tỉnh", "Đài Phát thanh và Truyền hình tỉnh"),
    ("Đài Phát thanh - Truyền hình Quảng Trị", "Đài Phát thanh và Truyền hình tỉnh"),
    ("Báo Quảng Trị", "Báo tỉnh"),
    ("TTPVHCC", "Trung tâm Phục vụ hành chính công tỉnh"),
    ("Trung tâm PVHCC tỉnh", "Trung tâm Phục vụ hành chính công tỉnh"),
    ("Trung tâm CNTT&TT", "Trung tâm Công nghệ thông tin và Truyền thông"),
    ("BCĐ chuyển đổi số tỉnh", "Ban Chỉ đạo chuyển đổi số tỉnh"),
    ("BCĐ CĐS tỉnh", "Ban Chỉ đạo chuyển đổi số tỉnh"),
    ("Ban Quản lý Khu kinh tế tỉnh", "Ban Quản lý Khu kinh tế"),
    ("BQL các KCN tỉnh", "Ban Quản lý các khu công nghiệp"),
    ("Ủy ban MTTQ Việt Nam tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"),
    ("Tỉnh Đoàn", "Tỉnh Đoàn"),
    ("Hội LHPN tỉnh", "Hội Liên hiệp Phụ nữ tỉnh"),
    ("VNPT Quảng Trị", "Viễn thông tỉnh"),
    ("Viễn thông Quảng Trị", "Viễn thông tỉnh"),
    ("Viettel Quảng Trị", "Viettel tỉnh"),
    ("Bưu điện tỉnh", "Bưu điện tỉnh"),
    # district and commune level
    ("UBND huyện Gio Linh", "Ủy ban nhân dân huyện Gio Linh"),
    ("UBND thành phố Đông Hà", "Ủy ban nhân dân thành phố Đông Hà"),
    ("UBND THỊ XÃ QUẢNG TRỊ", "Ủy ban nhân dân thị xã Quảng Trị"),
    ("Ủy ban nhân dân xã Cam Hiếu", "Ủy ban nhân dân xã Cam Hiếu"),
    # groups
    ("các sở, ban, ngành", "Các sở, ban, ngành"),
    ("các Sở, ban ngành", "Các sở, ban, ngành"),
    ("các sở, ngành", "Các sở, ban, ngành"),
    ("các sở, ban, ngành tỉnh", "Các sở, ban, ngành"),
    ("các cơ quan chuyên môn thuộc UBND tỉnh", "Các sở, ban, ngành"),
    ("UBND các huyện, thị xã, thành phố", UBND_HUYEN),
    ("UBND cấp huyện", UBND_HUYEN),
    ("UBND các huyện, thành phố", UBND_HUYEN),
    ("Ủy ban nhân dân các huyện, thị, thành phố", UBND_HUYEN),
    ("UBND các huyện, thị xã, TP", UBND_HUYEN),
    ("UBND các xã, phường, thị trấn", "Ủy ban nhân dân cấp xã"),
    ("UBND cấp xã", "Ủy ban nhân dân cấp xã"),
    ("các bộ, ngành, địa phương", "Các bộ, ngành, địa phương"),
    ("các Bộ, ngành và địa phương", "Các bộ, ngành, địa phương"),
    ("các đơn vị thuộc, trực thuộc Bộ", "Các đơn vị thuộc Bộ"),
    ("các đơn vị trực thuộc", "Các đơn vị thuộc Bộ"),
    ("các doanh nghiệp viễn thông trên địa bàn", "Các doanh nghiệp viễn thông"),
    ("các doanh nghiệp bưu chính, viễn thông", "Các doanh nghiệp viễn thông"),
    ("các cơ quan, đơn vị có liên quan", "Các cơ quan, đơn vị liên quan"),
    ("các đơn vị liên quan", "Các cơ quan, đơn vị liên quan"),
    ("các cơ quan liên quan", "Các cơ quan, đơn vị liên quan"),
    # ministries and central bodies
    ("Bộ TT&TT", "Bộ Thông tin và Truyền thông"),
    ("Bộ TTTT", "Bộ Thông tin và Truyền thông"),
    ("BỘ THÔNG TIN VÀ TRUYỀN THÔNG", "Bộ Thông tin và Truyền thông"),
    ("Bộ KH&ĐT", "Bộ Kế hoạch và Đầu tư"),
    ("Bộ KH&CN", "Bộ Khoa học và Công nghệ"),
    ("Bộ LĐ-TB&XH", "Bộ Lao động - Thương binh và Xã hội"),
    ("Bộ NN&PTNT", "Bộ Nông nghiệp và Phát triển nông thôn"),
    ("Bộ TN&MT", "Bộ Tài nguyên và Môi trường"),
    ("Bộ GD&ĐT", "Bộ Giáo dục và Đào tạo"),
    ("Bộ VHTTDL", "Bộ Văn hóa, Thể thao và Du lịch"),
    ("Bộ GTVT", "Bộ Giao thông vận tải"),
    ("Bộ Công an", "Bộ Công an"),
    ("Bộ Dân tộc và Tôn giáo", "Bộ Dân tộc và Tôn giáo"),
    ("NHNN", "Ngân hàng Nhà nước Việt Nam"),
    ("Ngân hàng Nhà nước Việt Nam", "Ngân hàng Nhà nước Việt Nam"),
    ("VPCP", "Văn phòng Chính phủ"),
    ("Ủy ban Dân tộc", "Ủy ban Dân tộc"),
    ("BHXH Việt Nam", "Bảo hiểm xã hội Việt Nam"),
    ("Thông tấn xã Việt Nam", "Thông tấn xã Việt Nam"),
    ("ĐHQG Hà Nội", "Đại học Quốc gia Hà Nội"),
    ("Ủy ban Quốc gia về chuyển đổi số", "Ủy ban Quốc gia về chuyển đổi số"),
    # ministry departments, listed and by pattern
    ("Cục CĐSQG", "Cục Chuyển đổi số quốc gia"),
    ("Cục Chuyển đổi số quốc gia", "Cục Chuyển đổi số quốc gia"),
    ("Cục Tin học hoá", "Cục Tin học hóa"),
    ("Cục ATTT", "Cục An toàn thông tin"),
    ("Cục KSTTHC", "Cục Kiểm soát thủ tục hành chính"),
    ("Vụ KHTC", "Vụ Kế hoạch - Tài chính"),
    ("Vụ Kế hoạch - Tài chính", "Vụ Kế hoạch - Tài chính"),
    ("Vụ TCCB", "Vụ Tổ chức cán bộ"),
    ("Vụ Pháp chế", "Vụ Pháp chế"),
    ("Văn phòng Bộ", "Văn phòng Bộ"),
    ("Thanh tra Bộ", "Thanh tra Bộ"),
    ("Trung tâm CNTT", "Trung tâm Công nghệ thông tin"),
    ("Vụ Kinh tế số và Xã hội số", "Vụ Kinh tế số và Xã hội số"),
    ("Cục Văn thư và Lưu trữ nhà nước", "Cục Văn thư và Lưu trữ nhà nước"),
    ("Tổng cục Thống kê", "Tổng cục Thống kê"),
    # table cells with bullets and trailing punctuation
    ("- Sở Nội vụ;", "Sở Nội vụ"),
    ("1. Sở Y tế.", "Sở Y tế"),
]


def test_table_is_large():
    assert len(SURFACES) >= 80


@pytest.mark.parametrize("surface,canonical", SURFACES)
def test_surface_to_canonical(surface, canonical):
    assert canonical_unit(surface) == canonical


@pytest.mark.parametrize("surface,canonical", SURFACES)
def test_surface_in_nfd_and_uppercase(surface, canonical):
    assert canonical_unit(unicodedata.normalize("NFD", surface)) == canonical
    # "Vụ X"/"Cục X" read by pattern need mixed case to tell where the name ends
    if canonical in all_units() or canonical.startswith("Ủy ban nhân dân "):
        assert canonical_unit(surface.upper()) == canonical


@pytest.mark.parametrize("surface", ["", "   ", "Sở", "UBND", "Nâng cao chất lượng", "Sở Y tế, Sở Nội vụ",
                                     "Sở Y tế (chủ trì)", "Quý II/2025", "các địa phương"])
def test_not_a_single_unit(surface):
    assert canonical_unit(surface) is None


def _spans(text: str) -> list[tuple[str, str]]:
    return [(m.text, m.canonical) for m in find_units(text)]


def test_sentence_with_several_units_in_order_with_offsets():
    text = "Sở TT&TT chủ trì, phối hợp với Công an tỉnh, Sở Nội vụ và UBND các huyện, thị xã, thành phố"
    found = find_units(text)
    assert [(m.canonical, m.kind) for m in found] == [
        (SO_TTTT, "province_department"),
        ("Công an tỉnh", "province_body"),
        ("Sở Nội vụ", "province_department"),
        (UBND_HUYEN, "group"),
    ]
    assert [(m.start, m.end) for m in found] == [(0, 8), (31, 43), (45, 54), (58, 91)]
    for m in found:
        assert text[m.start:m.end] == m.text
    assert found[0].successor == "Sở Khoa học và Công nghệ"
    assert found[2].successor is None


def test_offsets_refer_to_nfd_original():
    text = unicodedata.normalize("NFD", "Giao Sở Giáo dục và Đào tạo phối hợp Sở Y tế.")
    found = find_units(text)
    assert [m.canonical for m in found] == ["Sở Giáo dục và Đào tạo", "Sở Y tế"]
    for m in found:
        assert text[m.start:m.end] == m.text
        assert unicodedata.normalize("NFC", m.text) in ("Sở Giáo dục và Đào tạo", "Sở Y tế")


def test_old_tone_marks_and_dropped_accents_in_sentences():
    assert _spans("Sở Văn hoá, Thể thao và Du lịch; UỶ BAN NHÂN DÂN TỈNH") == [
        ("Sở Văn hoá, Thể thao và Du lịch", "Sở Văn hóa, Thể thao và Du lịch"),
        ("UỶ BAN NHÂN DÂN TỈNH", "Ủy ban nhân dân tỉnh"),
    ]
    assert _spans("So Y te phoi hop voi UBND cac huyen, thi xa, thanh pho") == [
        ("So Y te", "Sở Y tế"), ("UBND cac huyen, thi xa, thanh pho", UBND_HUYEN),
    ]


def test_place_is_part_of_the_mention():
    assert _spans("UBND tỉnh Quảng Trị giao Sở Y tế tỉnh Quảng Trị, Sở Tài chính TP.HCM") == [
        ("UBND tỉnh Quảng Trị", "Ủy ban nhân dân tỉnh"),
        ("Sở Y tế tỉnh Quảng Trị", "Sở Y tế"),
        ("Sở Tài chính TP.HCM", "Sở Tài chính"),
    ]


def test_letterhead_broken_over_lines():
    assert _spans("ỦY BAN NHÂN DÂN\nTỈNH QUẢNG TRỊ") == [("ỦY BAN NHÂN DÂN\nTỈNH QUẢNG TRỊ", "Ủy ban nhân dân tỉnh")]


def test_enumeration_after_one_head():
    text = ("Sở Thông tin và Truyền thông chủ trì, phối hợp với các Sở: Nội vụ, Tài chính, "
            "Kế hoạch và Đầu tư và UBND các huyện, thị xã, thành phố triển khai.")
    assert [m.canonical for m in find_units(text)] == [
        SO_TTTT, "Sở Nội vụ", "Sở Tài chính", "Sở Kế hoạch và Đầu tư", UBND_HUYEN]
    assert _spans("Các Sở Y tế, Giáo dục và Đào tạo, Công an tỉnh thực hiện") == [
        ("Sở Y tế", "Sở Y tế"), ("Giáo dục và Đào tạo", "Sở Giáo dục và Đào tạo"),
        ("Công an tỉnh", "Công an tỉnh")]
    assert [m.canonical for m in find_units("Phối hợp với các Bộ: Công an, Tư pháp và Y tế.")] == [
        "Bộ Công an", "Bộ Tư pháp", "Bộ Y tế"]


def test_lowercase_cell_with_several_units():
    cell = "sở nội vụ, sở tài chính; công an tỉnh"
    assert find_units(cell) == []  # in prose, lowercase "sở ..." is not a unit
    assert [m.canonical for m in find_units(cell, strict_case=False)] == [
        "Sở Nội vụ", "Sở Tài chính", "Công an tỉnh"]


def test_ministry_plan_sentence():
    text = ("Cục Chuyển đổi số quốc gia chủ trì, phối hợp Vụ Pháp chế, Văn phòng Bộ và các đơn vị "
            "thuộc Bộ; Cục An toàn thông tin thẩm định; Tổng cục Thống kê cung cấp số liệu")
    assert [(m.canonical, m.kind) for m in find_units(text)] == [
        ("Cục Chuyển đổi số quốc gia", "ministry_department"),
        ("Vụ Pháp chế", "ministry_department"),
        ("Văn phòng Bộ", "ministry_department"),
        ("Các đơn vị thuộc Bộ", "group"),
        ("Cục An toàn thông tin", "ministry_department"),
        ("Tổng cục Thống kê", "ministry_department"),
    ]


def test_longest_match_wins():
    assert _spans("Văn phòng UBND tỉnh") == [("Văn phòng UBND tỉnh", "Văn phòng Ủy ban nhân dân tỉnh")]
    assert _spans("Trung tâm Công nghệ thông tin và Truyền thông tỉnh") == [
        ("Trung tâm Công nghệ thông tin và Truyền thông tỉnh", "Trung tâm Công nghệ thông tin và Truyền thông")]
    assert _spans("Bộ Chỉ huy Quân sự tỉnh") == [("Bộ Chỉ huy Quân sự tỉnh", "Bộ Chỉ huy Quân sự tỉnh")]


def test_city_wording():
    # "thành phố" + a centrally-run city is the province; any other name is a district
    assert _spans("UBND TP Hà Nội, UBND quận Ba Đình, UBND thành phố Huế") == [
        ("UBND TP Hà Nội", "Ủy ban nhân dân tỉnh"),
        ("UBND quận Ba Đình", "Ủy ban nhân dân quận Ba Đình"),
        ("UBND thành phố Huế", "Ủy ban nhân dân thành phố Huế"),
    ]


@pytest.mark.parametrize("text", [
    "Nâng cao chất lượng dịch vụ công trực tuyến",
    "Đào tạo cán bộ y tế tại các cơ sở y tế trên địa bàn",
    "Chuyển đổi số y tế, chuyển đổi số tài chính và số hóa dữ liệu",
    "Phát triển hạ tầng viễn thông tỉnh đáp ứng nhu cầu",
    "Hoàn thành nhiệm vụ được giao; thông báo kết quả",
    "Cổng Dịch Vụ Công quốc gia",
    "Kế hoạch số 245/KH-UBND ngày 15/11/2024",
    "Toàn bộ tài liệu được số hóa; bố cục trang thông tin điện tử",
    "Cá tính của người dùng, ca tính toán",
    "Thông báo tỉnh; báo cáo định kỳ hằng quý",
    "Tỷ lệ hồ sơ trực tuyến toàn trình đạt 80%",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc",
])
def test_no_false_units(text):
    assert find_units(text) == []


def test_successors_follow_2025_reorganisation():
    assert unit_successor("Bộ Thông tin và Truyền thông") == "Bộ Khoa học và Công nghệ"
    assert unit_successor("Bộ Kế hoạch và Đầu tư") == "Bộ Tài chính"
    assert unit_successor("Bộ Tài nguyên và Môi trường") == "Bộ Nông nghiệp và Môi trường"
    assert unit_successor("Bộ Nông nghiệp và Phát triển nông thôn") == "Bộ Nông nghiệp và Môi trường"
    assert unit_successor("Bộ Giao thông vận tải") == "Bộ Xây dựng"
    assert unit_successor("Bộ Lao động - Thương binh và Xã hội") == "Bộ Nội vụ"
    assert unit_successor("Ủy ban Dân tộc") == "Bộ Dân tộc và Tôn giáo"
    assert unit_successor("Sở Thông tin và Truyền thông") == "Sở Khoa học và Công nghệ"
    assert unit_successor("Sở Kế hoạch và Đầu tư") == "Sở Tài chính"
    assert unit_successor("Sở Giao thông vận tải") == "Sở Xây dựng"
    assert unit_successor("Bộ Tư pháp") is None
    assert unit_successor("Không phải đơn vị") is None


def test_successor_depends_on_date():
    before, after = datetime.date(2024, 12, 31), datetime.date(2025, 3, 1)
    assert unit_successor(SO_TTTT, on=before) is None
    assert unit_successor(SO_TTTT, on=after) == "Sở Khoa học và Công nghệ"
    # an abbreviation is resolved first
    assert unit_successor("Sở TT&TT", on=after) == "Sở Khoa học và Công nghệ"


def test_gazetteer_is_consistent():
    names = all_units()
    assert len(names) == len(set(names)) >= 130
    for name in names:
        assert clean(name) == name, name  # tone convention of ingest.normalize.clean
        assert unit_kind(name) in KINDS
        succ = unit_successor(name)
        assert succ is None or succ in names, (name, succ)


def test_patterns_are_generated_from_the_data_and_round_trip():
    patterns = unit_patterns()
    assert len(patterns) > 1000
    names = set(all_units())
    for p in patterns:
        assert set(p) == {"label", "pattern", "id"}
        assert p["label"] in KINDS and p["id"] in names
        assert canonical_unit(p["pattern"]) == p["id"], p
    assert {"label": "province_department", "pattern": "Sở TT&TT", "id": SO_TTTT} in patterns


def _plan_text(size: int) -> str:
    seeds = Path(__file__).resolve().parents[2] / "shared" / "reference" / "seeds"
    prose = " ".join(p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))) if seeds.is_dir() else ""
    prose = prose or "Nâng cao chất lượng dịch vụ công trực tuyến, bảo đảm an toàn thông tin. " * 300
    tasks = ("Sở TT&TT chủ trì, phối hợp với Công an tỉnh, Sở Nội vụ và UBND các huyện, thị xã, thành phố. "
             "Các sở, ban, ngành; UBND cấp xã; VNPT Quảng Trị; Cục Chuyển đổi số quốc gia hướng dẫn. ")
    text = ""
    while len(text) < size:
        text += prose[:20000] + "\n" + tasks * 20
    return text[:size]


def test_a_whole_plan_reads_the_same_as_its_sentences():
    # the matcher on 150,000 characters at once finds what it finds sentence by sentence
    # (its speed is measured by make bench, not here)
    text = _plan_text(150_000)
    whole = find_units(text)
    assert len(whole) > 500
    by_sentence = []
    pos = 0
    for s in text.split("\n"):
        by_sentence += [m.canonical for m in find_units(s)]
        pos += len(s) + 1
    assert [m.canonical for m in whole] == by_sentence


_FRAGMENTS = [s for s, _ in SURFACES] + [
    " chủ trì, ", " phối hợp với ", ", ", " và ", "\n", "; ", "các ", "tỉnh ", "thành phố ", "Quảng Trị",
    "UBND ", "Sở ", "Bộ ", "Cục ", "Vụ ", "huyện ", ":", "(", ")", "–", "&", "TT", "và", "Số: 12/KH-UBND",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=8)), max_size=12),
       st.sampled_from(["NFC", "NFD", "upper", "lower"]))
def test_mentions_always_slice_the_input(parts, form):
    text = "".join(parts)
    if form in ("NFC", "NFD"):
        text = unicodedata.normalize(form, text)
    else:
        text = getattr(text, form)()
    found = find_units(text)
    last = 0
    for m in found:
        assert isinstance(m, UnitMention)
        assert 0 <= last <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert m.kind in KINDS
        last = m.end
    canonical_unit(text)  # never raises


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_never_raises(text):
    for m in find_units(text):
        assert text[m.start:m.end] == m.text
