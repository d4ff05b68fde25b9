"""The language server end to end, over stdio with a real LSP client (pytest-lsp): what an
editor sees. Run by .ci/run; by hand: `pytest tests/lsp` with the venv of .ci/run."""

import pathlib

from lsprotocol import types
from pytest_lsp import LanguageClient

from conftest import CANARIES, WIRE_ERR, WIRE_OUT, check_json


async def open_doc(client: LanguageClient, path: pathlib.Path, language="yaml"):
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=1, text=path.read_text()
            )
        )
    )
    return uri, await diagnostics(client, uri, 1)


async def diagnostics(client: LanguageClient, uri: str, version: int):
    """The diagnostics published for `uri` at `version` (earlier versions are skipped)."""
    while True:
        p = await client.wait_for_notification("textDocument/publishDiagnostics")
        if p.uri == uri and p.version == version:
            return p.diagnostics


def key(d):
    r = d.range
    return (d.code, r.start.line, r.start.character, r.end.line, r.end.character, d.message)


def expected(path):
    """`check --format json`'s diagnostics of the file, ranges made 0-based UTF-16."""
    out = []
    for d in check_json(path)["diagnostics"]:
        if d["file"] != str(path):
            continue
        out.append(
            (
                d["code"],
                d["line"] - 1,
                d["column_utf16"] - 1,
                d["end_line"] - 1,
                d["end_column_utf16"] - 1,
                d["message"],
            )
        )
    return sorted(out)


def offset(text: str, pos: types.Position) -> int:
    lines = text.split("\n")
    start = sum(len(l) + 1 for l in lines[: pos.line])
    units, i, line = 0, 0, lines[pos.line] if pos.line < len(lines) else ""
    while i < len(line) and units < pos.character:
        units += 2 if ord(line[i]) > 0xFFFF else 1
        i += 1
    return start + i


def apply(text: str, edits) -> str:
    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(text, e.range.start)] + e.new_text + text[offset(text, e.range.end) :]
    return text


def change(client, uri, version, text):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def test_config_diagnostics_equal_check(client: LanguageClient, docs):
    path = docs / "config.yaml"
    _, diags = await open_doc(client, path)
    assert diags, "the config has mistakes"
    assert sorted(key(d) for d in diags) == expected(path)
    by_code = {d.code: d for d in diags}
    d = by_code["invalid-duration"]
    assert d.code_description.href.endswith("#invalid-duration")
    assert d.source == "dsf-connections"
    # related information points into the file too
    assert any(d.related_information for d in diags)


async def test_compose_diagnostics_are_in_compose_coordinates(client: LanguageClient, docs):
    path = docs / "docker-compose.yml"
    _, diags = await open_doc(client, path, "dockercompose")
    assert diags
    assert sorted(key(d) for d in diags) == expected(path)
    lines = path.read_text().split("\n")
    d = next(d for d in diags if d.code == "invalid-duration")
    # the range is the value `5s` inside the block scalar, in the compose file's lines
    assert lines[d.range.start.line][d.range.start.character : d.range.end.character] == "5s"


async def test_edits_update_the_diagnostics(client: LanguageClient, docs):
    path = docs / "config.yaml"
    uri, diags = await open_doc(client, path)
    count = sum(d.code == "invalid-duration" for d in diags)
    assert count == 2
    text = path.read_text()
    # an incremental change: `5s` -> `PT5S`
    d = next(d for d in diags if d.code == "invalid-duration")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(range=d.range, text="PT5S")
            ],
        )
    )
    diags = await diagnostics(client, uri, 2)
    assert sum(d.code == "invalid-duration" for d in diags) == count - 1
    # a full change back to the text opened
    change(client, uri, 3, text)
    diags = await diagnostics(client, uri, 3)
    assert sum(d.code == "invalid-duration" for d in diags) == count


async def test_quick_fix_and_fix_all(client: LanguageClient, docs):
    path = docs / "config.yaml"
    uri, diags = await open_doc(client, path)
    text = path.read_text()
    d = next(d for d in diags if d.code == "invalid-duration")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=d.range,
            context=types.CodeActionContext(diagnostics=[d], only=[types.CodeActionKind.QuickFix]),
        )
    )
    fix = next(a for a in actions if a.kind == types.CodeActionKind.QuickFix)
    assert fix.is_preferred
    fixed = apply(text, fix.edit.changes[uri])
    assert "connect-timeout: PT5S" in fixed
    change(client, uri, 2, fixed)
    after = await diagnostics(client, uri, 2)
    assert sum(x.code == "invalid-duration" for x in after) == 1
    # fix all: the other duration too
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
            context=types.CodeActionContext(
                diagnostics=[], only=[types.CodeActionKind.SourceFixAll]
            ),
        )
    )
    all_safe = next(a for a in actions if a.kind == "source.fixAll.dsf-connections")
    fixed = apply(fixed, all_safe.edit.changes[uri])
    change(client, uri, 3, fixed)
    after = await diagnostics(client, uri, 3)
    assert not any(x.code == "invalid-duration" for x in after)
    # the unquoted number of a password is quoted by insertions around it (the secret is not
    # sent back: see the canary test)
    assert "password: '918273645'" in fixed or 'password: "918273645"' in fixed
    assert not any(x.code == "secret-not-string" for x in after)


async def test_hover_a_property_and_a_diagnostic(client: LanguageClient, docs):
    path = docs / "config.yaml"
    uri, diags = await open_doc(client, path)
    lines = path.read_text().split("\n")
    line = next(i for i, l in enumerate(lines) if "read-timeout" in l)
    h = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line, 4),
        )
    )
    v = h.contents.value
    assert "**read-timeout**" in v and "Server default: `PT10M`" in v
    assert "Effective value:" in v and "the config, line 4" in v
    # a secret: its effective value is masked
    line = next(i for i, l in enumerate(lines) if "client-secret" in l)
    h = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line, 6),
        )
    )
    assert "`****`" in h.contents.value
    # on a diagnostic's range: the code's documentation
    d = next(d for d in diags if d.code == "invalid-duration")
    h = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=d.range.start)
    )
    assert "**invalid-duration**" in h.contents.value
    assert d.message in h.contents.value
    # and the fix it offers
    assert "\n\nfix: " in h.contents.value


async def test_completion_inside_a_compose_block_scalar(client: LanguageClient, docs):
    path = docs / "docker-compose.yml"
    text = path.read_text()
    uri, _ = await open_doc(client, path)
    # a new line under `tx:` inside the block scalar
    text = text.replace("          read-timeout: 3s\n", "          read-timeout: 3s\n          \n")
    change(client, uri, 2, text)
    await diagnostics(client, uri, 2)
    line = text.split("\n").index("          ")
    items = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line, 10),
        )
    )
    labels = {i.label for i in items}
    assert {"base-url", "bearer-auth", "oidc-auth", "connect-timeout"} <= labels
    item = next(i for i in items if i.label == "connect-timeout")
    assert "PT2S" in item.documentation.value
    # an enumerated value
    line = text.split("\n").index("          read-timeout: 3s")
    text = text.replace("          \n", "          test-connection-on-startup: \n")
    change(client, uri, 3, text)
    await diagnostics(client, uri, 3)
    items = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line + 1, 38),
        )
    )
    assert {i.label for i in items} == {"true", "false"}


async def test_document_symbols_and_links(client: LanguageClient, docs):
    path = docs / "config.yaml"
    uri, _ = await open_doc(client, path)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    got = {s.name: s.detail for s in symbols}
    assert set(got) == {"fhir-data", "tx", "kc", "num"}
    assert "basic-auth" in got["fhir-data"]
    assert "oidc-auth" in got["kc"]
    links = await client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    targets = {l.target for l in links}
    assert (docs / "token.txt").as_uri() in targets
    # a file that is not there gets no link
    assert not any(t.endswith("missing-ca.pem") for t in targets)


async def test_settings_select_ignore_severity(client: LanguageClient, docs):
    path = docs / "config.yaml"
    uri, diags = await open_doc(client, path)
    assert any(d.code == "invalid-duration" for d in diags)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={
                "dsf-connections": {
                    "ignore": ["invalid-duration"],
                    "severity": {"invalid-boolean": "hint"},
                }
            }
        )
    )
    diags = await diagnostics(client, uri, 1)
    assert not any(d.code == "invalid-duration" for d in diags)
    assert all(d.severity == types.DiagnosticSeverity.Hint for d in diags if d.code == "invalid-boolean")


async def test_links_through_compose_mounts(client: LanguageClient, docs):
    path = docs / "docker-compose.yml"
    uri, _ = await open_doc(client, path)
    links = await client.text_document_document_link_async(
        types.DocumentLinkParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    # /run/secrets/bpe_token is the top-level secret's ./token.txt
    assert [l.target for l in links] == [(docs / "token.txt").as_uri()]
    line = path.read_text().split("\n")[links[0].range.start.line]
    assert "token-file: /run/secrets/bpe_token" in line


def test_zz_no_canary_in_the_whole_exchange():
    """Runs last: every byte the servers of the tests above wrote."""
    out = WIRE_OUT.read_text()
    err = WIRE_ERR.read_text() if WIRE_ERR.exists() else ""
    assert "publishDiagnostics" in out and '"hover"' not in out
    assert "****" in out, "the hover of the secret was sent, masked"
    for c in CANARIES:
        assert c not in out, c
        assert c not in err, c
