"""A tiny HTML index (stdlib only): elements by id, <label for>, and the text inside an element."""

from html.parser import HTMLParser

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class Index(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, dict] = {}
        self.label_for: set[str] = set()
        self.elements: list[dict] = []
        self._stack: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        el = {"tag": tag, "attrs": dict(attrs), "text": "", "children": []}
        if self._stack:
            self._stack[-1]["children"].append(el)
        self.elements.append(el)
        if el["attrs"].get("id"):
            self.by_id[el["attrs"]["id"]] = el
        if tag == "label" and el["attrs"].get("for"):
            self.label_for.add(el["attrs"]["for"])
        if tag not in VOID:
            self._stack.append(el)

    def handle_endtag(self, tag):
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i]["tag"] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data):
        for el in self._stack:
            el["text"] += data

    def find(self, tag=None, **attrs):
        return [
            e
            for e in self.elements
            if (tag is None or e["tag"] == tag)
            and all(e["attrs"].get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]


def table_rows(table: dict) -> list[list[str]]:
    """The rows of a table element from Index, each as its cells' text."""
    rows = []
    stack = [table]
    while stack:
        el = stack.pop(0)
        if el["tag"] == "tr":
            rows.append(
                [" ".join(c["text"].split()) for c in el["children"] if c["tag"] in ("th", "td")]
            )
        else:
            stack = el["children"] + stack
    return rows
