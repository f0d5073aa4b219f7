"""Lists become cards on a phone (issue 14 #4): ``{% cards %}`` labels every body cell with its column's header
and marks the table, so portal.css can lay each row out as a card below 600 px without JavaScript."""

from django.template import Context, Template

from civil_affairs.web.cards import label_cells

TABLE = """<table class="list">
  <thead><tr><th scope="col">Name</th><th scope="col" colspan="2">ID &amp; sex</th><th scope="col">Born <a href="?o=b">↑</a></th></tr></thead>
  <tbody>
  <tr><td><a href="/people/1/">张三</a></td><td class="mono">110105********002X</td><TD>男</TD><td>1949-12-31</td></tr>
  <tr><td colspan="4" class="muted">No one else.</td></tr>
  </tbody>
</table>"""


def test_every_body_cell_is_labelled_by_its_column_header():
    labelled = label_cells(TABLE)

    assert '<table class="list cards">' in labelled
    assert '<td data-label="Name"><a href="/people/1/">张三</a></td>' in labelled
    # A header spanning two columns labels both; markup in the header is left out; case is kept.
    assert '<td data-label="ID &amp; sex" class="mono">' in labelled
    assert '<TD data-label="ID &amp; sex">男</TD>' in labelled
    assert '<td data-label="Born ↑">1949-12-31</td>' in labelled
    # The empty list's message spans the whole row and needs no label.
    assert '<td colspan="4" class="muted">' in labelled


def test_nothing_else_changes():
    labelled = label_cells(TABLE)

    stripped = labelled.replace(" cards", "")
    for label in ("Name", "ID &amp; sex", "Born ↑"):
        stripped = stripped.replace(f' data-label="{label}"', "")
    assert stripped == TABLE


def test_a_cell_with_its_own_label_keeps_it_and_a_table_without_class_gets_one():
    markup = (
        "<table><thead><tr><th>Amount</th><th>Actions</th></tr></thead>"
        '<tbody><tr><td>1</td><td data-label="">x</td></tr></tbody></table>'
    )

    labelled = label_cells(markup)

    assert labelled.startswith('<table class="cards">')
    assert '<td data-label="Amount">1</td><td data-label="">x</td>' in labelled


def test_footer_cells_are_labelled_and_nested_tables_left_alone():
    markup = (
        "<table><thead><tr><th>Town</th><th>Workers</th></tr></thead>"
        "<tbody><tr><td>明水</td><td><table><tr><td>inner</td></tr></table></td></tr></tbody>"
        '<tfoot><tr><th scope="row">Total</th><td>12</td></tr></tfoot></table>'
    )

    labelled = label_cells(markup)

    assert '<td data-label="Workers"><table><tr><td>inner</td></tr></table></td>' in labelled
    assert '<th data-label="Town" scope="row">Total</th><td data-label="Workers">12</td>' in labelled


def test_the_template_tag_labels_what_the_template_rendered_escaped():
    template = Template(
        "{% load portal %}{% cards %}<table><thead><tr><th>{{ heading }}</th></tr></thead>"
        "<tbody><tr><td>{{ value }}</td></tr></tbody></table>{% endcards %}"
    )

    rendered = template.render(Context({"heading": 'A "quoted" <b>', "value": "<script>"}))

    assert '<td data-label="A &quot;quoted&quot; &lt;b&gt;">&lt;script&gt;</td>' in rendered
