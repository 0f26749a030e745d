"""Tests for kb.mdx.components through kb.mdx.document: each MDX component as readable, safe HTML."""

from __future__ import annotations

import re

import pytest

from kb.mdx.document import MdxDocument, mdx_to_markdown
from kb.render.markdown import MarkdownRenderer, RenderedPage, render_markdown


def convert(body: str, **kwargs: object) -> tuple[MdxDocument, RenderedPage]:
    """Run a body through MDX and rendering, as the indexer does."""
    document = mdx_to_markdown(body, renderer=MarkdownRenderer(), **kwargs)  # type: ignore[arg-type]
    return document, render_markdown(document.markdown)


@pytest.mark.parametrize(
    ("tag", "kind"),
    [("Info", "info"), ("Warning", "warning"), ("Tip", "tip"), ("Note", "note"),
     ("Check", "check"), ("Danger", "danger"), ("Callout", "note")],
)  # fmt: skip
def test_callouts_become_admonitions_with_markdown_inside(tag: str, kind: str) -> None:
    """Every callout is a note-role div of its kind, its Markdown rendered."""
    _, page = convert(f"<{tag}>\n  Read **this** and [that](/docs/that).\n\n  - one\n</{tag}>\n")
    assert f'<div class="kb-callout kb-callout-{kind}" role="note"' in page.html
    assert "<strong>this</strong>" in page.html and '<a href="/docs/that">that</a>' in page.html
    assert "<li>one</li>" in page.html


def test_callout_title_is_visible() -> None:
    """A callout's title attribute is shown."""
    _, page = convert('<Warning title="Careful">Body</Warning>\n')
    assert '<p class="kb-callout-title">Careful</p>' in page.html and page.text == "Careful Body"


def test_tabs_keep_every_panel_readable() -> None:
    """All tab panels are present with visible titles and rendered Markdown."""
    body = (
        '<Tabs>\n  <Tab title="Dashboard">\n    ### In the UI\n\n    Click **Save**.\n  </Tab>\n'
        '  <Tab title="API">\n    Call the `PATCH` endpoint.\n  </Tab>\n</Tabs>\n'
    )
    _, page = convert(body)
    assert page.html.count('<section class="kb-tab-panel">') == 2
    assert 'kb-tab-title" role="heading" aria-level="4">Dashboard</p>' in page.html
    assert "<strong>Save</strong>" in page.html and "<code>PATCH</code>" in page.html
    assert [h.anchor for h in page.headings] == ["in-the-ui"]


def test_code_groups_label_panels_from_fence_titles() -> None:
    """CodeGroup (and AuthCodeGroup) panels are labelled by the fences' titles."""
    body = (
        "<CodeGroup>\n```bash cURL\ncurl x\n```\n"
        '```js title="Node.js"\nfetch(x)\n```\n</CodeGroup>\n\n'
        "<AuthCodeGroup>\n```py\nprint(1)\n```\n</AuthCodeGroup>\n"
    )
    _, page = convert(body)
    titles = re.findall(r'kb-tab-title" role="heading" aria-level="4">([^<]*)<', page.html)
    assert titles == ["cURL", "Node.js", "py"]
    assert page.code == "curl x\nfetch(x)\nprint(1)"


def test_steps_are_an_ordered_list_and_can_carry_headings() -> None:
    """Steps become an ordered list; titleSize="h3" makes step titles real headings."""
    _, page = convert(
        '<Steps>\n  <Step title="First">\n  Do *a*.\n  </Step>\n'
        '  <Step title="Second">\n  Do b.\n  </Step>\n</Steps>\n'
    )
    assert '<ol class="kb-steps"><li class="kb-step">' in page.html
    assert page.html.count('<li class="kb-step">') == 2 and "<em>a</em>" in page.html
    _, headed = convert('<Steps titleSize="h3">\n<Step title="Open it">\nText\n</Step>\n</Steps>\n')
    assert [(h.level, h.anchor) for h in headed.headings] == [(3, "open-it")]


def test_accordions_are_native_details() -> None:
    """Accordion and Expandable become details/summary; defaultOpen opens them."""
    body = (
        '<AccordionGroup>\n<Accordion title="Why?">\nBecause.\n</Accordion>\n'
        '<Accordion title="Open" defaultOpen>\nShown.\n</Accordion>\n</AccordionGroup>\n'
    )
    _, page = convert(body)
    assert '<details class="kb-accordion"><summary>Why?</summary>Because.</details>' in page.html
    assert re.search(r'<details class="kb-accordion" open(="")?><summary>Open</summary>', page.html)
    assert '<div class="kb-accordion-group">' in page.html


def test_cards_are_link_cards_and_links() -> None:
    """A Card with href is a link card with title and text; its href is a recorded link."""
    body = (
        '<CardGroup cols={2}>\n  <Card title="Logs" icon="x" href="/docs/logs">\n'
        "    Read logs.\n  </Card>\n</CardGroup>\n"
    )
    document, page = convert(body, line_offset=10)
    assert (
        '<a class="kb-card" href="/docs/logs"><span class="kb-card-title">Logs</span>' in page.html
    )
    assert "Read logs." in page.text
    assert [(link.target, link.line) for link in document.links] == [("/docs/logs", 12)]


def test_frames_are_figures_with_captions() -> None:
    """Frame is a figure around its image, with the caption as figcaption."""
    _, page = convert('<Frame caption="The panel">![Panel](/img/p.png)</Frame>\n')
    assert '<figure class="kb-frame"><img alt="Panel" src="/img/p.png">' in page.html
    assert "<figcaption>The panel</figcaption></figure>" in page.html


def test_fields_are_definition_rows_with_expressions() -> None:
    """ParamField/ResponseField show name, type, required, default and description."""
    body = (
        '<ParamField query="limit" type={<span>number | <a href="/docs/types#n">N</a></span>} '
        'required default={10}>\n  How many {"items"} to return.\n</ParamField>\n\n'
        '<ResponseField name="user" type="object" post={["optional"]}>\n'
        '  <Expandable title="properties">\n'
        '    <ResponseField name="id" type="string">Id.</ResponseField>\n'
        "  </Expandable>\n</ResponseField>\n"
    )
    document, page = convert(body)
    assert (
        '<code class="kb-field-name">limit</code> <span class="kb-field-in">query</span>'
        in page.html
    )
    assert '<a href="/docs/types#n">N</a>' in page.html and "required" in page.text
    assert "default: 10" in page.text and "How many items to return." in page.text
    assert "optional" in page.text and "<summary>properties</summary>" in page.html
    assert "/docs/types#n" in [link.target for link in document.links]


def test_tooltip_links_glossary_term_and_records_use() -> None:
    """A Tooltip links /glossary?term=… with the href's term; the use keeps tip and file line."""
    body = (
        'Intro.\n\nUse an <Tooltip tip="Access Token: A credential." cta="View Glossary" '
        'href="/docs/glossary?term=access+tokens">access token</Tooltip> here.\n\n'
        '| a | <Tooltip tip="IdP: x">identity provider</Tooltip> |\n|---|---|\n\n'
        '<Tooltip tip="no prefix">Plain Term</Tooltip>\n'
    )
    document, page = convert(body, line_offset=4)
    assert (
        '<a class="kb-tooltip" href="/glossary?term=access+tokens" data-term="access tokens">'
        "access token</a>" in page.html
    )
    terms = [(t.term, t.text, t.line) for t in document.tooltips]
    assert terms == [("access tokens", "access token", 7), ("IdP", "identity provider", 9),
                     ("Plain Term", "Plain Term", 12)]  # fmt: skip
    assert document.tooltips[0].tip == "Access Token: A credential."
    assert document.tooltips[0].href == "/docs/glossary?term=access+tokens"
    assert "A credential" not in page.html


def test_hostile_tooltip_attributes_stay_inert() -> None:
    """Quotes and markup in a tip never reach the HTML; the term is escaped."""
    body = (
        "<Tooltip tip='Evil\"><script>alert(1)</script>: x' "
        'href="/g?term=%22%3E%3Cscript%3E">t</Tooltip>\n'
    )
    document, page = convert(body)
    assert "<script" not in page.html and "alert" not in page.html
    assert 'data-term="&quot;&gt;&lt;script&gt;"' in page.html
    assert document.tooltips[0].term == '"><script>'


def test_unknown_components_keep_their_children() -> None:
    """Unknown components keep children (block or inline); self-closing ones vanish."""
    body = (
        '<Recipe>\n  <Section title="Set up">\n    Step **text**.\n  </Section>\n</Recipe>\n\n'
        "A <Badge>Beta</Badge> tag.\n\n<Widget a={1} />\n"
    )
    _, page = convert(body)
    assert '<div class="kb-component" data-component="Section">' in page.html
    assert '<p class="kb-component-title">Set up</p>' in page.html
    assert '<span class="kb-component" data-component="Badge">Beta</span>' in page.html
    assert page.text == "Set up Step text. A Beta tag."
