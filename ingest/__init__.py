"""Files → RawDocument: PDF (text layer or OCR), DOCX, DOC; normalised Unicode text."""
