"""Legacy Word .doc files: converted to DOCX by LibreOffice (headless), then read as DOCX."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ingest.errors import IngestError, LimitExceeded, MissingTool


def soffice_path() -> str:
    for name in ("soffice", "libreoffice"):
        exe = shutil.which(name)
        if exe:
            return exe
    raise MissingTool(
        ".doc files need LibreOffice to be converted, and it is not installed "
        "(Debian/Ubuntu: apt-get install libreoffice-writer-nogui)"
    )


def doc_to_docx(path: Path, workdir: Path, timeout_s: float = 180.0) -> Path:
    exe = soffice_path()
    with tempfile.TemporaryDirectory(prefix="dxplan-lo-") as profile:
        # A private profile lets several conversions run at once without locking each other.
        cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(workdir), str(path)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout_s)
        except subprocess.TimeoutExpired as exc:
            raise LimitExceeded(f"LibreOffice took longer than {timeout_s:.0f} s to convert the .doc") from exc
    out = workdir / (path.stem + ".docx")
    if proc.returncode != 0 or not out.exists():
        detail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip().splitlines()
        raise IngestError("corrupt .doc: LibreOffice could not convert it" + (f" ({detail[-1][:160]})" if detail else ""))
    return out
