"""Resource limits for hostile or enormous inputs (overridable from the CLI)."""

from pydantic import BaseModel


class Limits(BaseModel):
    max_pages: int = 1000
    max_file_mb: float = 200.0
    max_unzipped_mb: float = 300.0  # total uncompressed size of a DOCX package
    max_zip_ratio: float = 200.0  # uncompressed/compressed: beyond this a DOCX is a zip bomb
    max_table_depth: int = 5
    max_image_pixels: int = 60_000_000  # a page rendered for OCR larger than this is refused
    ocr: bool = True
    ocr_dpi: int = 300
    ocr_timeout_s: float = 120.0


DEFAULT_LIMITS = Limits()
