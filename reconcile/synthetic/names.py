"""Vietnamese name tables with realistic shares, and vectorised drawing of full names.

Family-name shares follow published estimates (Nguyễn ≈ 38 %, Trần 11 %, Lê 9.5 %,
Phạm 7 %, Hoàng/Huỳnh 5 %, Phan 4.5 %, Vũ/Võ 4 %; the top 14 ≈ 90 %). Văn and Thị are
the usual middle names of the older cohorts and fade for people born after 1990. Given
names are skewed so that exact homonyms (same full name and birth year) occur as they
do in a real commune. Tone-bearing names use the new tone placement (Hoà, Thuý, Thuỳ).
"""

from __future__ import annotations

import numpy as np
import polars as pl

# (male form, female form, share in %); compound Huế families keep their two syllables.
FAMILY: tuple[tuple[str, str, float], ...] = (
    ("Nguyễn", "Nguyễn", 38.0), ("Trần", "Trần", 11.0), ("Lê", "Lê", 9.5),
    ("Phạm", "Phạm", 7.0), ("Hoàng", "Hoàng", 2.5), ("Huỳnh", "Huỳnh", 2.5),
    ("Phan", "Phan", 4.5), ("Võ", "Võ", 2.8), ("Vũ", "Vũ", 1.2), ("Đặng", "Đặng", 2.1),
    ("Bùi", "Bùi", 2.0), ("Đỗ", "Đỗ", 1.4), ("Hồ", "Hồ", 1.3), ("Ngô", "Ngô", 1.3),
    ("Dương", "Dương", 1.0), ("Lý", "Lý", 0.5), ("Trương", "Trương", 1.2),
    ("Đoàn", "Đoàn", 1.0), ("Đinh", "Đinh", 0.8), ("Mai", "Mai", 0.7), ("Cao", "Cao", 0.7),
    ("Lương", "Lương", 0.6), ("Hà", "Hà", 0.6), ("Tô", "Tô", 0.5), ("Châu", "Châu", 0.5),
    ("Đào", "Đào", 0.5), ("Lâm", "Lâm", 0.4), ("Thái", "Thái", 0.4), ("Trịnh", "Trịnh", 0.4),
    ("Tôn Thất", "Tôn Nữ", 0.5), ("Nguyễn Phúc", "Nguyễn Phúc", 0.2), ("Lưu", "Lưu", 0.3),
    ("Văn", "Văn", 0.2), ("Phùng", "Phùng", 0.3), ("Hứa", "Hứa", 0.2), ("Mạc", "Mạc", 0.1),
)

# Family names common among the Tà Ôi, Cơ Tu and Bru-Vân Kiều of A Lưới and Nam Đông.
MINORITY_FAMILY: tuple[tuple[str, float], ...] = (
    ("Hồ", 30.0), ("Kăn", 10.0), ("Blúp", 8.0), ("Ra Pát", 7.0), ("A Viết", 6.0),
    ("Pả", 6.0), ("Arất", 6.0), ("Quỳnh", 5.0), ("Lê", 8.0), ("Nguyễn", 8.0), ("Coor", 3.0),
    ("Bhling", 3.0),
)

MALE_MIDDLE: tuple[tuple[str, float], ...] = (
    ("Đức", 9.0), ("Hữu", 8.0), ("Minh", 8.0), ("Quang", 7.0), ("Công", 7.0),
    ("Đình", 6.0), ("Ngọc", 5.0), ("Xuân", 5.0), ("Thanh", 5.0), ("Quốc", 5.0),
    ("Trọng", 4.0), ("Tấn", 4.0), ("Anh", 4.0), ("Hoàng", 3.0), ("Bá", 3.0),
    ("Thế", 3.0), ("Duy", 3.0), ("Nhật", 2.0), ("Gia", 2.0), ("Phước", 2.0),
)
FEMALE_MIDDLE: tuple[tuple[str, float], ...] = (
    ("Ngọc", 10.0), ("Thu", 8.0), ("Thanh", 8.0), ("Kim", 7.0), ("Phương", 6.0),
    ("Minh", 5.0), ("Hoài", 4.0), ("Bảo", 4.0), ("Mỹ", 4.0), ("Diệu", 4.0),
    ("Quỳnh", 4.0), ("Hồng", 4.0), ("Thuỳ", 3.0), ("Khánh", 3.0), ("Hải", 3.0),
    ("Tường", 2.0), ("Xuân", 3.0), ("Cẩm", 2.0), ("Bích", 3.0), ("Như", 3.0),
)

MALE_GIVEN: tuple[tuple[str, float], ...] = (
    ("Hùng", 16), ("Dũng", 15), ("Tuấn", 15), ("Minh", 14), ("Hải", 13), ("Nam", 12),
    ("Long", 12), ("Sơn", 11), ("Thắng", 11), ("Hưng", 10), ("Cường", 10), ("Tùng", 9),
    ("Trung", 9), ("Phong", 9), ("Hoà", 9), ("Quang", 8), ("Thành", 8), ("Bình", 8),
    ("Hiếu", 8), ("Huy", 8), ("Khánh", 7), ("Đức", 7), ("Việt", 7), ("Hoàng", 7),
    ("Phúc", 7), ("Tâm", 6), ("Toàn", 6), ("Vinh", 6), ("Tú", 6), ("Kiên", 6), ("Duy", 6),
    ("Lộc", 6), ("Tài", 5), ("Thịnh", 5), ("Quân", 5), ("Anh", 5), ("Bảo", 5), ("Đạt", 5),
    ("Khoa", 5), ("Nghĩa", 5), ("Nhân", 5), ("Quý", 5), ("Tiến", 5), ("Trí", 5),
    ("Trường", 4), ("Lợi", 4), ("Mạnh", 4), ("Hậu", 4), ("Phát", 4), ("Sang", 4),
    ("Thuỷ", 3), ("Hiển", 3), ("Luân", 3), ("Tín", 3), ("Châu", 3), ("Hồng", 2),
    ("Bách", 2), ("Bằng", 2), ("Cảnh", 2), ("Chiến", 2), ("Chính", 2), ("Danh", 2),
    ("Dương", 2), ("Đại", 2), ("Đăng", 2), ("Định", 2), ("Đông", 2), ("Giang", 2),
    ("Hào", 2), ("Hiệp", 2), ("Hoan", 2), ("Hợp", 2), ("Huân", 2), ("Khải", 2),
    ("Khang", 2), ("Khiêm", 2), ("Khôi", 2), ("Kiệt", 2), ("Lân", 2), ("Lập", 2),
    ("Lực", 2), ("Lương", 2), ("Nguyên", 2), ("Nhật", 2), ("Ninh", 2), ("Phước", 2),
    ("Quyết", 2), ("Sinh", 2), ("Sỹ", 2), ("Thạch", 2), ("Thái", 2), ("Thiện", 2),
    ("Thông", 2), ("Thuận", 2), ("Tình", 2), ("Tuệ", 2), ("Tường", 2), ("Vĩnh", 2),
    ("Vượng", 2), ("Xuân", 2), ("Thuỵ", 1), ("Hoá", 1), ("Uy", 1), ("Ý", 1), ("Cừ", 1),
    ("Lãm", 1), ("Mẫn", 1), ("Phụng", 1), ("Tạo", 1), ("Toại", 1), ("Viên", 1), ("Vỹ", 1),
)
FEMALE_GIVEN: tuple[tuple[str, float], ...] = (
    ("Lan", 15), ("Hương", 15), ("Hoa", 14), ("Hà", 13), ("Linh", 13), ("Trang", 12),
    ("Thảo", 11), ("Mai", 11), ("Hằng", 10), ("Nhung", 10), ("Ngọc", 9), ("Hạnh", 9),
    ("Phương", 9), ("Thuý", 9), ("Thuỳ", 8), ("Huyền", 8), ("Nga", 8), ("Loan", 7),
    ("Dung", 7), ("Hiền", 7), ("Yến", 7), ("Vân", 7), ("Oanh", 6), ("Hồng", 6),
    ("Tâm", 6), ("Nhi", 6), ("Uyên", 6), ("Anh", 6), ("Thuỷ", 6), ("Hoà", 5), ("Quỳnh", 5),
    ("Trâm", 5), ("Vy", 5), ("Thư", 5), ("My", 4), ("Ly", 4), ("Giang", 4), ("Liên", 4),
    ("Tuyết", 4), ("Xuân", 4), ("Thu", 4), ("Diễm", 4), ("Nguyệt", 4), ("Châu", 3),
    ("Hường", 3), ("Lý", 2), ("Lài", 2), ("Sen", 2), ("Cúc", 2), ("Đào", 2),
    ("Ái", 2), ("An", 2), ("Bích", 2), ("Cẩm", 2), ("Chi", 2), ("Diệp", 2), ("Duyên", 2),
    ("Gấm", 2), ("Hảo", 2), ("Hoài", 2), ("Huệ", 2), ("Khánh", 2), ("Kiều", 2), ("Lam", 2),
    ("Lệ", 2), ("Liễu", 2), ("Luyến", 2), ("Minh", 2), ("Na", 2), ("Nhàn", 2), ("Nhã", 2),
    ("Phượng", 2), ("Quế", 2), ("Sương", 2), ("Thắm", 2), ("Thanh", 2), ("Thơ", 2),
    ("Thoa", 2), ("Thơm", 2), ("Tiên", 2), ("Trinh", 2), ("Trúc", 2), ("Tú", 2),
    ("Tuyền", 2), ("Vi", 2), ("Khuê", 1), ("Thuỵ", 1), ("Hoè", 1), ("Xoan", 1), ("Mận", 1),
    ("Nở", 1), ("Lành", 1), ("Mơ", 1), ("Yên", 1), ("Đoan", 1), ("Hiên", 1), ("Lựu", 1),
)
# Given names used among the minorities of the western highlands, mixed with the above.
MINORITY_GIVEN: tuple[tuple[str, float], ...] = (
    ("Pơ", 5), ("Bốc", 4), ("Kiêm", 4), ("Nhâm", 4), ("Cu", 3), ("Lăng", 3), ("Ty", 3),
    ("Rin", 3), ("Pi", 3), ("A Nôl", 2), ("Xin", 2), ("Bhríu", 2), ("Kray", 2), ("Aly", 2),
)


def _draw(rng: np.random.Generator, table: tuple[tuple[str, float], ...], size: int) -> pl.Series:
    """Draw `size` names from `table` with its shares."""
    weights = np.array([w for _, w in table], dtype=np.float64)
    idx = rng.choice(len(table), size=size, p=weights / weights.sum())
    return pl.Series([name for name, _ in table], dtype=pl.String).gather(idx)


def draw_names(
    rng: np.random.Generator, female: np.ndarray, birth_year: np.ndarray, minority: np.ndarray
) -> pl.DataFrame:
    """Draw name parts (columns family, middle, given) for people of the given sex, year, group."""
    n = len(female)
    weights = np.array([s for _, _, s in FAMILY])
    fam_idx = rng.choice(len(FAMILY), size=n, p=weights / weights.sum())
    # Văn/Thị: ~75 % of those born in 1940 (and of minorities), ~22 % of those born after 2000.
    p_van_thi = np.where(minority, 0.8, np.clip(0.75 - (birth_year - 1940) * 0.0085, 0.22, 0.75))
    parts = pl.DataFrame({
        "female": female,
        "minority": minority,
        "fam_m": pl.Series([m for m, _, _ in FAMILY]).gather(fam_idx),
        "fam_f": pl.Series([f for _, f, _ in FAMILY]).gather(fam_idx),
        "fam_min": _draw(rng, MINORITY_FAMILY, n),
        "given_m": _draw(rng, MALE_GIVEN, n),
        "given_f": _draw(rng, FEMALE_GIVEN, n),
        "given_min": _draw(rng, MINORITY_GIVEN, n),
        "mid_m": _draw(rng, MALE_MIDDLE, n),
        "mid_f": _draw(rng, FEMALE_MIDDLE, n),
        "mid2_m": _draw(rng, MALE_MIDDLE, n),
        "mid2_f": _draw(rng, FEMALE_MIDDLE, n),
        "van_thi": rng.random(n) < p_van_thi,
        "min_given": minority & (rng.random(n) < 0.5),
        "shape": rng.random(n),
    })
    female_, c = pl.col("female"), pl.col
    first = (
        pl.when(c("van_thi")).then(pl.when(female_).then(pl.lit("Thị")).otherwise(pl.lit("Văn")))
        .when(female_).then(c("mid_f")).otherwise(c("mid_m"))
    )
    second = pl.when(female_).then(c("mid2_f")).otherwise(c("mid2_m"))
    # ~4 % have no middle name, ~4 % have two (e.g. "Thị Thu", "Hữu Minh").
    return parts.select(
        family=pl.when(c("minority")).then(c("fam_min"))
        .when(female_).then(c("fam_f")).otherwise(c("fam_m")),
        middle=pl.when(c("shape") < 0.04).then(pl.lit(""))
        .when((c("shape") < 0.08) & (first != second)).then(pl.concat_str([first, second], separator=" "))
        .otherwise(first),
        given=pl.when(c("min_given")).then(c("given_min"))
        .when(female_).then(c("given_f")).otherwise(c("given_m")),
    )


def full_name(family: pl.Expr, middle: pl.Expr, given: pl.Expr) -> pl.Expr:
    """Family, middle and given names joined by single spaces (an empty middle drops out)."""
    return pl.concat_str(
        [family, pl.when(middle != "").then(middle), given], separator=" ", ignore_nulls=True
    )
