"""Resource limits for hostile or enormous inputs (overridable from the CLI).

Each limit turns a file that would exhaust memory, disk or time into an error row with
a message naming the limit. The per-file time limit and the worker memory limit are
enforced by `corpus.batch` around the readers, as a backstop for what these miss.
"""

from pydantic import BaseModel


class Limits(BaseModel):
    max_pages: int = 1000
    max_file_mb: float = 200.0
    max_unzipped_mb: float = 300.0  # total uncompressed size of a DOCX package
    max_zip_ratio: float = 200.0  # uncompressed/compressed: beyond this a DOCX is a zip bomb
    max_archive_mb: float = 2000.0  # all members extracted from one .zip input, together
    max_table_depth: int = 5
    max_image_pixels: int = 60_000_000  # a page rendered for OCR larger than this is refused
    max_embedded_image_pixels: int = 400_000_000  # an image this large in a scan is not decoded at all
    ocr: bool = True
    ocr_dpi: int = 300
    ocr_timeout_s: float = 120.0


DEFAULT_LIMITS = Limits()
