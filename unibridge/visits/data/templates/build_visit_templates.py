"""Build the built-in visit document templates next to this script:
``visa_invitation.docx``, ``programme.docx`` and ``attendance_certificate.docx``.

    .venv/bin/python unibridge/visits/data/templates/build_visit_templates.py

Each DOCX is a docxtpl template (Jinja tags inside Word): a two-column table with English on
the left and the host country's language(s) on the right. Open one in Word or LibreOffice to
change the layout, or copy it as the start of a template to upload in the administration;
the context each sees is described in ``unibridge.visits.documents`` (the
``sample_*_context`` functions show every key).

Tags in the documents: ``{{ … }}`` prints, ``{%p … %}`` repeats or hides a whole paragraph,
``{%tr … %}`` a whole table row (docxtpl's conventions).
"""

from pathlib import Path

from unibridge.core.docx_building import (
    BLANK,
    bilingual_row,
    first_paragraph_cleanup,
    new_document,
    new_table,
    paragraph,
    tag_row,
)

HERE = Path(__file__).parent


# --- Blocks shared by the documents ------------------------------------------------------------


def letterhead_block(cell, v: str) -> None:
    paragraph(cell, f"{{{{ {v}.host }}}}", bold=True, center=True, size=11)
    paragraph(cell, f"{{{{ {v}.host_place }}}}", center=True)


def fields_block(cell, v: str) -> None:
    paragraph(cell, f"{{{{ {v}.sentence }}}}")
    paragraph(cell, f"{{%p for f in {v}.fields %}}")
    paragraph(cell, "{{ f.label }}: {{ f.value }}")
    paragraph(cell, "{%p endfor %}")


def contacts_block(cell, v: str) -> None:
    paragraph(cell, f"{{%p if {v}.contacts %}}")
    paragraph(cell, f"{{{{ {v}.t.contact }}}}", bold=True)
    paragraph(cell, f"{{%p for c in {v}.contacts %}}")
    paragraph(cell, "{{ c.name }}{% if c.position %}, {{ c.position }}{% endif %}")
    paragraph(cell, "{%p if c.email or c.phone %}")
    paragraph(cell, "{{ c.email }}{% if c.email and c.phone %}, {% endif %}{{ c.phone }}")
    paragraph(cell, "{%p endif %}")
    paragraph(cell, "{%p endfor %}")
    paragraph(cell, "{%p endif %}")


def signature_block(cell, v: str) -> None:
    paragraph(cell, f"{{{{ {v}.host }}}}", bold=True)
    paragraph(cell, f"{{%p if {v}.signatory.name %}}")
    paragraph(
        cell,
        f"{{{{ {v}.signatory.name }}}}"
        f"{{% if {v}.signatory.position %}}, {{{{ {v}.signatory.position }}}}{{% endif %}}",
    )
    paragraph(cell, "{%p endif %}")
    paragraph(cell, f"{{{{ {v}.t.signature }}}}: {BLANK}")
    paragraph(cell, f"{{{{ {v}.t.date_of_issue }}}}: {{{{ {v}.date_of_issue }}}}")
    paragraph(cell, f"{{{{ {v}.t.seal }}}}")


# --- The documents -------------------------------------------------------------------------------


def visa_invitation(target: Path) -> Path:
    document = new_document("Visa invitation letter")

    def heading(cell, v: str) -> None:
        letterhead_block(cell, v)
        paragraph(cell, f"{{{{ {v}.t.addressee }}}}")
        paragraph(cell, f"{{{{ {v}.t.invitation }}}}", bold=True, center=True, size=12)

    def body(cell, v: str) -> None:
        fields_block(cell, v)
        paragraph(cell, f"{{{{ {v}.t.visa_request }}}}")

    table = new_table(document)
    for block in (heading, body, contacts_block, signature_block):
        bilingual_row(table, block)
    first_paragraph_cleanup(table)
    document.save(target)
    return target


def attendance_certificate(target: Path) -> Path:
    document = new_document("Certificate of attendance")

    def heading(cell, v: str) -> None:
        letterhead_block(cell, v)
        paragraph(cell, f"{{{{ {v}.t.certificate }}}}", bold=True, center=True, size=12)

    table = new_table(document)
    for block in (heading, fields_block, signature_block):
        bilingual_row(table, block)
    first_paragraph_cleanup(table)
    document.save(target)
    return target


def programme(target: Path) -> Path:
    document = new_document("Visit programme")

    def heading(cell, v: str) -> None:
        letterhead_block(cell, v)
        paragraph(cell, f"{{{{ {v}.t.programme }}}}", bold=True, center=True, size=12)
        paragraph(cell, f"{{{{ {v}.t.delegation }}}}: {{{{ {v}.visiting }}}}")
        paragraph(cell, f"{{{{ {v}.t.host }}}}: {{{{ {v}.host }}}}")
        paragraph(cell, f"{{{{ {v}.t.dates }}}}: {{{{ {v}.dates }}}}")
        paragraph(cell, f"{{%p if {v}.purpose %}}")
        paragraph(cell, f"{{{{ {v}.t.purpose }}}}: {{{{ {v}.purpose }}}}")
        paragraph(cell, "{%p endif %}")
        paragraph(cell, f"{{{{ {v}.times_in }}}}")

    def day_block(cell, d: str) -> None:
        paragraph(cell, f"{{{{ {d}.date }}}}", bold=True)
        paragraph(cell, f"{{%p for i in {d}.events %}}")
        paragraph(cell, "{{ i.time }} · {{ i.kind }}: {{ i.title }}", bold=True)
        paragraph(cell, "{%p if i.place %}")
        paragraph(cell, "{{ i.place }}")
        paragraph(cell, "{%p endif %}")
        paragraph(cell, "{%p if i.responsible %}")
        paragraph(cell, f"{{{{ {d}.t.responsible }}}}: {{{{ i.responsible }}}}")
        paragraph(cell, "{%p endif %}")
        paragraph(cell, "{%p endfor %}")

    def empty(cell, v: str) -> None:
        paragraph(cell, f"{{{{ {v}.t.no_items }}}}")

    table = new_table(document)
    bilingual_row(table, heading)
    tag_row(table, "{%tr for day in days %}")
    bilingual_row(table, day_block, en="day.en", others="day.others")
    tag_row(table, "{%tr endfor %}")
    tag_row(table, "{%tr if not days %}")
    bilingual_row(table, empty)
    tag_row(table, "{%tr endif %}")
    bilingual_row(table, contacts_block)
    first_paragraph_cleanup(table)
    document.save(target)
    return target


def build(directory: Path = HERE) -> list[Path]:
    return [
        visa_invitation(directory / "visa_invitation.docx"),
        programme(directory / "programme.docx"),
        attendance_certificate(directory / "attendance_certificate.docx"),
    ]


if __name__ == "__main__":
    for path in build():
        print(f"Wrote {path}")
