"""The document upload form: only the allowed types, and only when the content is what the name says."""

import filetype
from django.core.exceptions import ValidationError
from wagtail.documents.forms import BaseDocumentForm

#: Extensions whose files are containers that filetype recognises by their first bytes, and what it may call them
#: (an Office or OpenDocument file is a zip archive; filetype names the kind when it can).
CONTAINERS = {
    "pdf": {"pdf"},
    "docx": {"docx", "zip"},
    "xlsx": {"xlsx", "zip"},
    "pptx": {"pptx", "zip"},
    "odt": {"odt", "zip"},
    "ods": {"ods", "zip"},
    "odp": {"odp", "zip"},
}
#: Plain-text types: anything filetype recognises as a binary kind is not one, nor is markup.
TEXT = {"csv", "txt"}
#: How much of a file is read to tell what it is (filetype needs 8 KB at most; markup shows at the start).
SNIFF_BYTES = 8192


def content_error(name, head):
    """Why a file called ``name`` that starts with ``head`` is not what its extension says; None when it is."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = filetype.guess(head)
    if extension in CONTAINERS:
        if kind is None or kind.extension not in CONTAINERS[extension]:
            return (
                f"This file is not a real .{extension} file (its content is {kind.mime if kind else 'something else'})."
            )
    elif extension in TEXT:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if kind is not None or text.startswith((b"<", b"<!", b"<?xml")) or b"<script" in text or b"<html" in text:
            return f"This file is not plain text: upload .{extension} files without HTML, XML or binary content."
    return None


class DocumentForm(BaseDocumentForm):
    """Wagtail's document form (WAGTAILDOCS_DOCUMENT_FORM_BASE) with a look at the file's first bytes."""

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if file and hasattr(file, "read") and getattr(file, "name", None):
            position = file.tell() if hasattr(file, "tell") else 0
            head = file.read(SNIFF_BYTES)
            file.seek(position)
            error = content_error(file.name, head)
            if error:
                raise ValidationError(error, code="document_content")
        return file
