"""Imports and templates point one way (docs/architecture.md): read from the source, not from a running app.

Every module of the bulletin package is parsed with ``ast``, function-level (lazy) imports included, and so is every
template: ``{% extends %}``, ``{% include %}`` and ``{% load %}``. Python names templates as string literals
(``render_to_string("web/…")``, ``template_name = …``, a block's ``Meta.template``): any literal that is the name of
one of our templates counts as a use of it. An app may use its own modules and templates and those of the apps
listed for it in LAYERS; there must be no import cycle between files.
"""

import ast
import re
from pathlib import Path

import pytest

import bulletin

PACKAGE = Path(bulletin.__file__).parent

#: The parts of Bulletin that each part may use (besides itself): modules, templates and template tag libraries.
#: Django, Wagtail and other libraries are free. Top-level modules count as parts of their own.
LAYERS = {
    "__init__": set(),
    "settings": set(),
    "gc_freeze": set(),
    # Posts of other sites in a story (its block is in newsroom's story body): Django and Wagtail only.
    "embeds": set(),
    "newsroom": {"embeds"},
    "newsdesk": {"newsroom"},
    "live": {"newsroom"},
    "publishing": {"newsroom"},
    "syndication": {"newsroom", "embeds"},
    "demo": {"newsroom", "liveblogs"},
    "imports": {"newsroom", "embeds"},
    # Live blogs are stories with entries: published by the publisher, pushed by the live channel, their pages
    # extend the reader site's base page and their <head> uses syndication's data.
    "liveblogs": {"newsroom", "live", "publishing", "syndication", "web"},
    "accounts": {"newsroom"},
    # Export and import of a whole newsroom: its content (live blogs and embeds included), its publisher's 410
    # list and its live events.
    "transfer": {"newsroom", "publishing", "live", "embeds", "liveblogs"},
    "uploads": set(),
    # Search's pages are reader pages: they extend web's base page and use its news-style times.
    "search": {"newsroom", "web"},
    # web's templates load syndication's template tags (the <head> of reader pages).
    "web": {"newsroom", "publishing", "live", "syndication", "uploads", "embeds"},
    # The front of `bulletin serve` (granian): started by the CLI only.
    "front": {"newsroom", "live", "publishing", "web", "uploads", "asgi", "gc_freeze"},
    "urls": {"newsroom", "live", "publishing", "syndication", "web", "uploads", "search", "liveblogs"},
    "asgi": {"gc_freeze"},
    "cli": {
        "newsroom",
        "newsdesk",
        "live",
        "publishing",
        "syndication",
        "web",
        "demo",
        "imports",
        "front",
        "search",
        "transfer",
        "gc_freeze",
    },
    "__main__": {"cli"},
}

#: Settings wire the apps together by name (INSTALLED_APPS, a library's template or callable setting): they may name
#: any part's templates, and import none.
WIRING = {"settings"}

TEMPLATE_TAG = re.compile(r"{%\s*(extends|include|load)\s+(.+?)\s*%}")


def part_of(module):
    """ "bulletin.web.views" → "web"; "bulletin.cli" → "cli"."""
    return module.split(".")[1] if module.count(".") else "__init__"


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def python_files():
    return sorted(PACKAGE.rglob("*.py"))


def resolve(importer, node):
    """The bulletin modules an import statement loads (a name imported from a package may be its submodule)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.split(".")[0] == "bulletin"]
    if node.level:
        is_package = importer.endswith("__init__")
        base = importer.split(".")
        base = base[: len(base) - node.level + (1 if is_package else 0)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    if target.split(".")[0] != "bulletin":
        return []
    found = []
    for alias in node.names:
        submodule = f"{target}.{alias.name}"
        found.append(submodule if _exists(submodule) else target)
    return found


def _exists(module):
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def import_graph():
    """{module: {module it imports: line}} for every module of the package, lazy imports included."""
    graph = {}
    for path in python_files():
        name = module_name(path)
        # Resolve relative imports against the module's own name, marking packages so "from . import x" works.
        importer = f"{name}.__init__" if path.name == "__init__.py" else name
        edges = graph.setdefault(name, {})
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in resolve(importer, node):
                    if target != name:
                        edges.setdefault(target, node.lineno)
    return graph


def our_templates():
    """{template name: part} for every template in a templates/ folder of the package."""
    templates = {}
    for folder in PACKAGE.rglob("templates"):
        part = part_of(module_name(folder.parent / "__init__.py")) if folder.parent != PACKAGE else "__init__"
        for path in folder.rglob("*"):
            if path.is_file():
                templates[str(path.relative_to(folder))] = part
    return templates


def tag_libraries():
    """{template tag library name: part}."""
    return {
        path.stem: part_of(module_name(path)) for path in PACKAGE.rglob("templatetags/*.py") if path.stem != "__init__"
    }


def strongly_connected(graph):
    """Tarjan's algorithm: the sets of modules that import each other, directly or around a loop."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def allowed(user, used):
    return used == user or used in LAYERS[user]


def test_every_part_of_the_package_has_layer_rules():
    parts = {part_of(module_name(path)) for path in python_files()}
    assert parts <= LAYERS.keys(), f"add these to LAYERS (and docs/architecture.md): {parts - LAYERS.keys()}"


def test_no_import_cycle_between_files():
    cycles = [sorted(component) for component in strongly_connected(import_graph()) if len(component) > 1]
    assert not cycles, f"modules that import each other: {cycles}"


def test_imports_follow_the_layers():
    wrong = [
        f"{module} (line {line}) imports {target}"
        for module, edges in import_graph().items()
        for target, line in edges.items()
        if not allowed(part_of(module), part_of(target))
    ]
    assert not wrong, "\n".join(wrong)


def test_python_names_only_templates_of_its_own_part_or_below():
    templates = our_templates()
    wrong = []
    for path in python_files():
        user = part_of(module_name(path))
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in templates:
                if user not in WIRING and not allowed(user, templates[node.value]):
                    wrong.append(
                        f"{path.relative_to(PACKAGE)}:{node.lineno} names {node.value} ({templates[node.value]}'s)"
                    )
    assert not wrong, "\n".join(wrong)


def test_templates_use_only_templates_and_tags_of_their_own_part_or_below():
    templates, libraries = our_templates(), tag_libraries()
    wrong = []
    for folder in PACKAGE.rglob("templates"):
        user = part_of(module_name(folder.parent / "__init__.py"))
        for path in folder.rglob("*"):
            if not path.is_file():
                continue
            for tag, argument in TEMPLATE_TAG.findall(path.read_text()):
                if tag == "load":
                    used = [libraries[name] for name in argument.split() if name in libraries]
                else:
                    name = argument.split()[0].strip("\"'")
                    used = [templates[name]] if name in templates else []
                wrong += [
                    f"{path.relative_to(PACKAGE)}: {tag} {argument} ({part}'s)"
                    for part in used
                    if not allowed(user, part)
                ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from .models import X", {"bulletin.newsroom.models"}),
        ("from . import listings", {"bulletin.newsroom.listings"}),
        ("from bulletin.web import views", {"bulletin.web.views"}),
        ("def f():\n    from bulletin.publishing.publisher import Publisher", {"bulletin.publishing.publisher"}),
    ],
)
def test_the_reader_of_imports_finds_relative_and_lazy_ones(source, expected):
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.update(resolve("bulletin.newsroom.handlers", node))
    assert found == expected


def test_the_cycle_finder_finds_a_cycle_through_a_third_module():
    graph = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}
    assert [sorted(c) for c in strongly_connected(graph) if len(c) > 1] == [["a", "b", "c"]]
