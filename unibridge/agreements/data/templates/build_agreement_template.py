"""Build the built-in agreement template, ``agreement.docx``, next to this script.

    .venv/bin/python unibridge/agreements/data/templates/build_agreement_template.py

The DOCX is a docxtpl template (Jinja tags inside Word): a two-column table with English on
the left and the parties' other languages on the right, then a signature block per party.
Open it in Word or LibreOffice to change the layout, or copy it as the start of a template
to upload in the administration; the context it sees is described in
``unibridge.agreements.documents`` (``sample_context`` shows every key).

Tags in the document: ``{{ … }}`` prints, ``{%p … %}`` repeats or hides a whole paragraph,
``{%tr … %}`` a whole table row (docxtpl's conventions).
"""

from pathlib import Path

from docx.shared import Pt

from unibridge.core.docx_building import (
    BLANK,
    bilingual_row,
    end_of_cell,
    first_paragraph_cleanup,
    new_document,
    new_table,
    paragraph,
    tag_row,
)

TARGET = Path(__file__).with_name("agreement.docx")


def title_block(cell, v: str) -> None:
    paragraph(cell, f"{{{{ {v}.heading }}}}", bold=True, center=True, size=12)
    paragraph(cell, f"{{{{ {v}.title }}}}", bold=True, center=True)
    paragraph(cell, f"{{{{ {v}.t.reference }}}}: {{{{ reference }}}}", center=True)


def parties_block(cell, v: str) -> None:
    paragraph(cell, f"{{{{ {v}.t.parties }}}}", bold=True)
    paragraph(cell, f"{{{{ {v}.t.parties_intro }}}}")
    paragraph(cell, f"{{%p for p in {v}.parties %}}")
    paragraph(
        cell,
        "{{ loop.index }}. {{ p.name }} ({{ p.country }}{% if p.city %}, {{ p.city }}{% endif %})",
    )
    paragraph(cell, "{%p if p.units %}")
    paragraph(cell, f"{{{{ {v}.t.units }}}}: {{{{ p.units_text }}}}")
    paragraph(cell, "{%p endif %}")
    paragraph(cell, "{%p if p.signatory %}")
    paragraph(
        cell,
        f"{{{{ {v}.t.represented_by }}}}: {{{{ p.signatory }}}}"
        "{% if p.position %}, {{ p.position }}{% endif %}",
    )
    paragraph(cell, "{%p endif %}")
    paragraph(cell, "{%p endfor %}")


def areas_block(cell, v: str) -> None:
    paragraph(cell, f"{{{{ {v}.t.areas }}}}", bold=True)
    paragraph(cell, f"{{{{ {v}.t.areas_intro }}}}")
    paragraph(cell, f"{{%p for area in {v}.areas %}}")
    paragraph(cell, "– {{ area }}")
    paragraph(cell, "{%p endfor %}")


def conditions_block(cell, v: str) -> None:
    paragraph(cell, f"{{{{ {v}.t.conditions }}}}", bold=True)
    paragraph(cell, f"{{%p for c in {v}.conditions %}}")
    paragraph(cell, "{{ c.heading }}", bold=True)
    paragraph(cell, "{%p for line in c.lines %}")
    paragraph(cell, "{{ line }}")
    paragraph(cell, "{%p endfor %}")
    paragraph(cell, "{%p endfor %}")


def validity_block(cell, v: str) -> None:
    paragraph(cell, f"{{{{ {v}.t.validity }}}}", bold=True)
    paragraph(cell, f"{{{{ {v}.t.effective_from }}}}: {{{{ {v}.effective }}}}")
    paragraph(cell, f"{{{{ {v}.t.valid_until }}}}: {{{{ {v}.expiry }}}}")
    paragraph(cell, f"{{%p for sentence in {v}.validity %}}")
    paragraph(cell, "{{ sentence }}")
    paragraph(cell, "{%p endfor %}")
    paragraph(cell, f"{{{{ {v}.final }}}}")


def signature_block(cell, b: str) -> None:
    paragraph(cell, f"{{{{ {b}.party.name }}}}", bold=True)
    paragraph(cell, f"{{{{ {b}.party.signatory }}}}")
    paragraph(cell, f"{{{{ {b}.party.position }}}}")
    paragraph(cell, f"{{{{ {b}.t.signature }}}}: {BLANK}")
    paragraph(cell, f"{{{{ {b}.t.date }}}}: {{{{ {b}.party.signed_on or '{BLANK}' }}}}")
    paragraph(cell, f"{{{{ {b}.t.place }}}}: {{{{ {b}.party.place or '{BLANK}' }}}}")


def build(target: Path = TARGET) -> Path:
    document = new_document("Agreement")

    table = new_table(document)
    bilingual_row(table, title_block)
    bilingual_row(table, parties_block)
    tag_row(table, "{%tr if en.areas %}")
    bilingual_row(table, areas_block)
    tag_row(table, "{%tr endif %}")
    tag_row(table, "{%tr if en.conditions %}")
    bilingual_row(table, conditions_block)
    tag_row(table, "{%tr endif %}")
    bilingual_row(table, validity_block)
    first_paragraph_cleanup(table)

    heading = document.add_paragraph()
    heading.paragraph_format.space_before = Pt(12)
    heading.add_run(
        "{{ en.t.signatures }}{% for v in others %} / {{ v.t.signatures }}{% endfor %}"
    ).bold = True

    signatures = new_table(document)
    tag_row(signatures, "{%tr for s in signature_blocks %}")
    bilingual_signatures = signatures.add_row().cells
    signature_block(bilingual_signatures[0], "s.en")
    paragraph(bilingual_signatures[1], "{%p for b in s.others %}")
    signature_block(bilingual_signatures[1], "b")
    paragraph(bilingual_signatures[1], "{%p endfor %}")
    end_of_cell(bilingual_signatures[1])
    tag_row(signatures, "{%tr endfor %}")
    first_paragraph_cleanup(signatures)

    document.save(target)
    return target


if __name__ == "__main__":
    print(f"Wrote {build()}")
