"""Issuers: letterheads of provinces and ministries, place lines, the 2025 mergers."""

from __future__ import annotations

import datetime
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.issuers import (
    Issuer, all_issuers, find_issuer, post_merger_province, province, province_from_place,
    provinces_after_merger,
)

MERGER_DAY = datetime.date(2025, 7, 1)

# Resolution 202/2025/QH15: new province → the provinces merged into it
MERGERS = {
    "Tuyên Quang": {"Tuyên Quang", "Hà Giang"},
    "Lào Cai": {"Lào Cai", "Yên Bái"},
    "Thái Nguyên": {"Thái Nguyên", "Bắc Kạn"},
    "Phú Thọ": {"Phú Thọ", "Vĩnh Phúc", "Hòa Bình"},
    "Bắc Ninh": {"Bắc Ninh", "Bắc Giang"},
    "Hưng Yên": {"Hưng Yên", "Thái Bình"},
    "Hải Phòng": {"Hải Phòng", "Hải Dương"},
    "Ninh Bình": {"Ninh Bình", "Hà Nam", "Nam Định"},
    "Quảng Trị": {"Quảng Trị", "Quảng Bình"},
    "Đà Nẵng": {"Đà Nẵng", "Quảng Nam"},
    "Quảng Ngãi": {"Quảng Ngãi", "Kon Tum"},
    "Gia Lai": {"Gia Lai", "Bình Định"},
    "Khánh Hòa": {"Khánh Hòa", "Ninh Thuận"},
    "Lâm Đồng": {"Lâm Đồng", "Đắk Nông", "Bình Thuận"},
    "Đắk Lắk": {"Đắk Lắk", "Phú Yên"},
    "Hồ Chí Minh": {"Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu"},
    "Đồng Nai": {"Đồng Nai", "Bình Phước"},
    "Tây Ninh": {"Tây Ninh", "Long An"},
    "Cần Thơ": {"Cần Thơ", "Sóc Trăng", "Hậu Giang"},
    "Vĩnh Long": {"Vĩnh Long", "Bến Tre", "Trà Vinh"},
    "Đồng Tháp": {"Đồng Tháp", "Tiền Giang"},
    "Cà Mau": {"Cà Mau", "Bạc Liêu"},
    "An Giang": {"An Giang", "Kiên Giang"},
}
UNCHANGED = {"Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh",
             "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Cao Bằng"}

PROVINCE_LETTERHEADS = [
    ("ỦY BAN NHÂN DÂN\nTỈNH QUẢNG TRỊ", "Quảng Trị"),
    ("UBND TỈNH TUYÊN QUANG", "Tuyên Quang"),
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ", "Cần Thơ"),
    ("UỶ BAN NHÂN DÂN TP. HỒ CHÍ MINH", "Hồ Chí Minh"),
    ("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HÀ NỘI", "Hà Nội"),
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ HUẾ", "Huế"),
    ("ỦY BAN NHÂN DÂN\nTỈNH THỪA THIÊN HUẾ", "Huế"),
    ("UBND TỈNH BÀ RỊA - VŨNG TÀU", "Bà Rịa - Vũng Tàu"),
    ("ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK", "Đắk Lắk"),
    ("ỦY BAN NHÂN DÂN TỈNH ĐĂK NÔNG", "Đắk Nông"),
    ("ỦY  BAN NHÂN  DÂN\n   TỈNH  KHÁNH HOÀ", "Khánh Hòa"),
    ("UỶ BAN NHÂN DÂN\nTỈNH THANH HOÁ", "Thanh Hóa"),
    ("ỦY BAN NHÂN DÂN\nTỈNH BẮC KẠN", "Bắc Kạn"),
    ("Ủy ban nhân dân tỉnh Hà Giang", "Hà Giang"),
    ("UBND TINH QUANG BINH", "Quảng Bình"),
    ("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ ĐÀ NẴNG", "Đà Nẵng"),
    ("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HẢI PHÒNG", "Hải Phòng"),
    ("ỦY BAN NHÂN DÂN\nTỈNH KON TUM", "Kon Tum"),
    ("ỦY BAN NHÂN DÂN\nTỈNH HÒA BÌNH", "Hòa Bình"),
    ("ỦY BAN NHÂN DÂN\nTỈNH LONG AN", "Long An"),
    ("ỦY BAN NHÂN DÂN\nTỈNH AN GIANG", "An Giang"),
    ("ỦY BAN NHÂN DÂN\nTỈNH HẬU GIANG", "Hậu Giang"),
]

MINISTRY_LETTERHEADS = [
    ("BỘ TƯ PHÁP", "Bộ Tư pháp", None),
    ("BỘ THÔNG TIN VÀ TRUYỀN THÔNG", "Bộ Thông tin và Truyền thông", "Bộ Khoa học và Công nghệ"),
    ("BỘ THÔNG TIN\nVÀ TRUYỀN THÔNG", "Bộ Thông tin và Truyền thông", "Bộ Khoa học và Công nghệ"),
    ("NGÂN HÀNG NHÀ NƯỚC\nVIỆT NAM", "Ngân hàng Nhà nước Việt Nam", None),
    ("BẢO HIỂM XÃ HỘI VIỆT NAM", "Bảo hiểm xã hội Việt Nam", None),
    ("BỘ KẾ HOẠCH VÀ ĐẦU TƯ", "Bộ Kế hoạch và Đầu tư", "Bộ Tài chính"),
    ("BỘ LAO ĐỘNG - THƯƠNG BINH\nVÀ XÃ HỘI", "Bộ Lao động - Thương binh và Xã hội", "Bộ Nội vụ"),
    ("BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG", "Bộ Tài nguyên và Môi trường", "Bộ Nông nghiệp và Môi trường"),
    ("BỘ KHOA HỌC VÀ CÔNG NGHỆ", "Bộ Khoa học và Công nghệ", None),
    ("BỘ Y TẾ", "Bộ Y tế", None),
    ("BỘ VĂN HOÁ, THỂ THAO VÀ DU LỊCH", "Bộ Văn hóa, Thể thao và Du lịch", None),
    ("VĂN PHÒNG CHÍNH PHỦ", "Văn phòng Chính phủ", None),
    ("ỦY BAN DÂN TỘC", "Ủy ban Dân tộc", "Bộ Dân tộc và Tôn giáo"),
    ("BỘ CÔNG THƯƠNG", "Bộ Công Thương", None),
]


@pytest.mark.parametrize("text,name", PROVINCE_LETTERHEADS)
def test_province_letterheads(text, name):
    iss = find_issuer(text)
    assert iss is not None and iss.kind == "province" and iss.name == name
    assert find_issuer(unicodedata.normalize("NFD", text)) == iss


def test_every_province_from_its_letterhead():
    provinces = [i for i in all_issuers() if i.kind == "province"]
    for iss in provinces:
        level = "THÀNH PHỐ" if iss.name in {"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế"} else "TỈNH"
        for text in (f"ỦY BAN NHÂN DÂN\n{level} {iss.name.upper()}", f"UBND {level.lower()} {iss.name}"):
            assert find_issuer(text) == iss, text


@pytest.mark.parametrize("text,name,successor", MINISTRY_LETTERHEADS)
def test_ministry_letterheads(text, name, successor):
    iss = find_issuer(text)
    assert iss == Issuer(name=name, kind="ministry", merged_into=successor,
                         since=datetime.date(2025, 3, 1) if successor else None)


def test_every_listed_ministry_from_its_letterhead():
    ministries = [i for i in all_issuers() if i.kind == "ministry"]
    assert len(ministries) >= 30
    for iss in ministries:
        assert find_issuer(iss.name.upper()) == iss


def test_interleaved_letterhead_with_motto():
    text = ("ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "TỈNH QUẢNG TRỊ Độc lập - Tự do - Hạnh phúc\n"
            "-------- ---------------\n"
            "Số: 245/KH-UBND Quảng Trị, ngày 15 tháng 11 năm 2024")
    assert find_issuer(text).name == "Quảng Trị"
    assert find_issuer("BỘ Y TẾ\n-------\nSố: 12/KH-BYT\nHà Nội, ngày 3 tháng 1 năm 2025").name == "Bộ Y tế"


@pytest.mark.parametrize("text", [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
    "ỦY BAN NHÂN DÂN",  # the province line is missing
    "ỦY BAN NHÂN DÂN\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "ỦY BAN NHÂN DÂN\nSố: 245/KH-UBND",
    "ỦY BAN NHÂN DÂN TỈNH",
    "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",  # a Sở issues: the caller decides
    "UBND TỈNH QUẢNG TRỊ\nSỞ THÔNG TIN VÀ TRUYỀN THÔNG",
    "UBND TỈNH QUẢNG TRỊ\nSỞ Y TẾ\nSố: 12/KH-SYT",
    "UBND TỈNH QUẢNG TRỊ\nBAN QUẢN LÝ KHU KINH TẾ",
    "UBND TỈNH QUẢNG TRỊ\nVĂN PHÒNG",
    "BỘ TÀI CHÍNH\nTỔNG CỤC THUẾ",
    "BỘ THÔNG TIN VÀ TRUYỀN THÔNG\nCỤC CHUYỂN ĐỔI SỐ QUỐC GIA",
    "NGÂN HÀNG NHÀ NƯỚC\nCHI NHÁNH TỈNH QUẢNG TRỊ",
    "BẢO HIỂM XÃ HỘI\nTỈNH QUẢNG TRỊ",
    "HỘI ĐỒNG NHÂN DÂN\nTỈNH QUẢNG TRỊ",
    "ỦY BAN NHÂN DÂN\nHUYỆN GIO LINH",
    "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ ĐÔNG HÀ",
    "KẾ HOẠCH\nChuyển đổi số năm 2025",
    "",
])
def test_not_a_province_or_ministry(text):
    assert find_issuer(text) is None


@pytest.mark.parametrize("text,name", [
    ("Quảng Trị, ngày 15 tháng 11 năm 2024", "Quảng Trị"),
    ("TP. Hồ Chí Minh, ngày 20 tháng 12 năm 2024", "Hồ Chí Minh"),
    ("Thành phố Hồ Chí Minh, ngày 20 tháng 12 năm 2024", "Hồ Chí Minh"),
    ("Huế, ngày 3 tháng 2 năm 2025", "Huế"),
    ("Thừa Thiên Huế, ngày 3 tháng 2 năm 2024", "Huế"),
    ("Hà Nội, ngày 10 tháng 01 năm 2025", "Hà Nội"),
    ("Tuyên Quang, ngày  tháng 01 năm 2025", "Tuyên Quang"),
    ("Đắk Lắk, ngày 5/1/2025", "Đắk Lắk"),
    ("Bà Rịa - Vũng Tàu, ngày 1 tháng 2 năm 2024", "Bà Rịa - Vũng Tàu"),
    ("Đông Hà, ngày 5 tháng 1 năm 2024", "Quảng Trị"),  # the provincial seat
    ("Vinh, ngày 1 tháng 1 năm 2024", "Nghệ An"),
    ("Số: 245/KH-UBND Quảng Trị, ngày 15 tháng 11 năm 2024", "Quảng Trị"),
    ("Quảng Trị", "Quảng Trị"),
    ("Cần Thơ", "Cần Thơ"),
    ("QUANG TRI, ngay 15 thang 11 nam 2024", "Quảng Trị"),
])
def test_province_from_place(text, name):
    iss = province_from_place(text)
    assert iss is not None and iss.name == name and iss.kind == "province"


@pytest.mark.parametrize("text", ["ngày 15 tháng 11 năm 2024", "Kế hoạch chuyển đổi số tỉnh Quảng Trị",
                                  "Trụ sở tại Quảng Trị và Huế", "", "Việt Nam, ngày 1"])
def test_no_province_from_place(text):
    assert province_from_place(text) is None


def test_mergers_of_2025():
    provinces = [i for i in all_issuers() if i.kind == "province"]
    assert len(provinces) == 63 == len({i.name for i in provinces})
    after = provinces_after_merger()
    assert len(after) == 34
    assert set(after) == set(MERGERS) | UNCHANGED
    for iss in provinces:
        target = post_merger_province(iss.name)
        assert target in after, iss.name
        if iss.name in UNCHANGED:
            assert iss.merged_into is None and iss.since is None
        else:
            assert iss.merged_into == target and iss.since == MERGER_DAY
            assert iss.name in MERGERS[target]
    for target, members in MERGERS.items():
        assert {i.name for i in provinces if i.merged_into == target} == members


def test_province_aliases():
    assert province("Thừa Thiên Huế").name == "Huế"
    assert province("Thanh Hoá").name == "Thanh Hóa"
    assert province("TP.HCM").name == "Hồ Chí Minh"
    assert province("Daklak").name == "Đắk Lắk"
    assert post_merger_province("Quảng Bình") == "Quảng Trị"
    assert post_merger_province("Hà Giang") == "Tuyên Quang"
    assert post_merger_province("Bình Dương") == "Hồ Chí Minh"
    assert post_merger_province("Hà Nội") == "Hà Nội"
    assert province("Atlantis") is None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.sampled_from([t for t, _ in PROVINCE_LETTERHEADS] + [t for t, _, _ in MINISTRY_LETTERHEADS]
                    + ["\n", " ", "SỞ Y TẾ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 1/KH-UBND", ", ngày 1",
                       "TỈNH", "THÀNH PHỐ", "TP.", "ỦY BAN NHÂN DÂN", "-----"]),
    st.text(max_size=6)), max_size=8))
def test_never_raises(parts):
    text = "".join(parts)
    for t in (text, unicodedata.normalize("NFD", text), text.lower()):
        iss = find_issuer(t)
        assert iss is None or isinstance(iss, Issuer)
        place = province_from_place(t)
        assert place is None or place.kind == "province"
