"""Pieces of the scripts that build the built-in DOCX templates (python-docx, no Django).

Each template is a docxtpl template (Jinja tags inside Word): a two-column table with English
on the left and the other languages on the right. Every tag is written as one run, since
docxtpl reads a tag split across runs as broken.
"""

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

BLANK = "________________"


def new_document(title: str):
    """An A4 document in 10 pt Times New Roman, its title marking it as a built-in template."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(10)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    document.core_properties.title = f"{title} (UniBridge built-in template)"
    document.core_properties.author = "UniBridge"
    return document


def paragraph(cell, text: str = "", *, bold: bool = False, center: bool = False, size=None):
    """A paragraph with one run, so that a Jinja tag is never split across runs."""
    para = cell.add_paragraph()
    para.paragraph_format.space_after = Pt(3)
    if center:
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if text:
        run = para.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
    return para


def end_of_cell(cell) -> None:
    """A tiny closing paragraph: a cell needs one even when no other language fills it."""
    paragraph(cell).paragraph_format.space_after = Pt(0)
    cell.paragraphs[-1].paragraph_format.line_spacing = Pt(2)


def bilingual_row(table, block, *, en: str = "en", others: str = "others") -> None:
    """English on the left; each other language, one after the other, on the right."""
    left, right = table.add_row().cells
    block(left, en)
    paragraph(right, f"{{%p for v in {others} %}}")
    block(right, "v")
    paragraph(right, "{%p endfor %}")
    end_of_cell(right)


def tag_row(table, tag: str) -> None:
    """A row holding only a ``{%tr … %}`` tag: docxtpl replaces the whole row with it."""
    table.add_row().cells[0].paragraphs[0].add_run(tag)


def new_table(document):
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    return table


def first_paragraph_cleanup(table) -> None:
    """Cells start with an empty paragraph; drop it where the cell has content after it."""
    for row in table.rows:
        for cell in row.cells:
            paragraphs = cell.paragraphs
            if len(paragraphs) > 1 and not paragraphs[0].text:
                paragraphs[0]._element.getparent().remove(paragraphs[0]._element)
