#!/usr/bin/env python3
"""Writes seed inputs for the `parse_docx` fuzz target: a Teams and a Google Meet
transcript as minimal .docx archives, into fuzz/corpus/parse_docx (where `cargo fuzz run
parse_docx` starts from). Without seeds libFuzzer rarely builds a valid zip, so the run
stays in the archive reader and never reaches the layout detection.

    python3 fuzz/seeds/make_docx_seeds.py && (cd fuzz && cargo fuzz run parse_docx)
"""
import pathlib
import zipfile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
LAYOUTS = {
    "teams.docx": ["Call with Acme", "Priya Raman  0:03", "Thanks for joining.",
                   "Tom Baker  0:09", "Send me a quote by Friday, please."],
    "meet.docx": ["Acme sync - Transcript", "00:00:00", "Priya Raman: Thanks for joining.",
                  "Tom Baker: Send me a quote by Friday, please.", "00:05:00",
                  "Priya Raman: Will do."],
}


def document(paragraphs):
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{p}</w:t></w:r></w:p>' for p in paragraphs
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document '
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )


def main():
    out = pathlib.Path(__file__).resolve().parent.parent / "corpus" / "parse_docx"
    out.mkdir(parents=True, exist_ok=True)
    for name, paragraphs in LAYOUTS.items():
        with zipfile.ZipFile(out / name, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", CONTENT_TYPES)
            z.writestr("_rels/.rels", RELS)
            z.writestr("word/document.xml", document(paragraphs))
        print(out / name)


if __name__ == "__main__":
    main()
