"""Fixtures of the end-to-end LSP suite: the binary under test (DSF_CONNECTIONS_BIN, else
target/debug), a folder of documents holding canary secrets, and a client that records every
byte the server writes (stdout through `tee`, stderr to a file) so a test can assert that no
canary left the process."""

import os
import pathlib
import subprocess
import json
import tempfile

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("DSF_CONNECTIONS_BIN") or str(
    pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug" / "dsf-connections"
)
# secret values no message of the server may hold
CANARIES = ["918273645", "CANARY-pw-71c3e9", "CANARY-token-5d2a", "CANARY-client-b81f", "CANARY-env-44ee"]

CONFIG = """\
fhir-data:
  base-url: https://fhir.example.org/fhir
  connect-timeout: 5s
  read-timeout: 10s
  test-connection-on-startup: y
  basic-auth:
    username: bpe
    password: 'CANARY-pw-71c3e9'
    password-file: pw.txt
tx:
  base-url: https://tx.example.org/fhir
  bearer-auth:
    token: "CANARY-token-5d2a"
    token-file: token.txt
kc:
  base-url: https://fhir2.example.org/fhir
  trusted-root-certificates-file: missing-ca.pem
  oidc-auth:
    base-url: https://bpe:CANARY-pw-71c3e9@keycloak.example.org/realms/dsf
    client-id: dsf-bpe
    client-secret: CANARY-client-b81f
num:
  base-url: https://num.example.org/fhir
  basic-auth:
    username: u
    password: 918273645
"""

COMPOSE = """\
services:
  bpe:
    image: ghcr.io/datasharingframework/bpe:2.0.2
    environment:
      DB_PASSWORD: CANARY-env-44ee
      DEV_DSF_BPE_FHIR_CLIENT_CONNECTIONS_CONFIG: |
        fhir-data:
          base-url: https://fhir.example.org/fhir
          connect-timeout: 5s
          bearer-auth:
            token-file: /run/secrets/bpe_token
        tx:
          base-url: https://tx.example.org/fhir
          read-timeout: 3s
    secrets:
      - bpe_token
secrets:
  bpe_token:
    file: ./token.txt
"""


@pytest.fixture(scope="session")
def docs(tmp_path_factory):
    d = tmp_path_factory.mktemp("docs")
    (d / "config.yaml").write_text(CONFIG)
    (d / "docker-compose.yml").write_text(COMPOSE)
    (d / "token.txt").write_text("CANARY-token-5d2a\n")
    (d / "pw.txt").write_text("CANARY-pw-71c3e9\n")
    return d


# everything the server writes, for the canary check (one folder per pytest run)
WIRE = pathlib.Path(tempfile.mkdtemp(prefix="dsf-lsp-wire-"))
WIRE_OUT = WIRE / "stdout.log"
WIRE_ERR = WIRE / "stderr.log"
# every byte of stdout passes through tee into the log; stderr goes to its own log
SERVER = ["sh", "-c", '"$0" lsp 2>>"$2" | tee -a "$1"', BIN, str(WIRE_OUT), str(WIRE_ERR)]


def check_json(path):
    """`check --format json` of a file, as the CLI reports it."""
    out = subprocess.run(
        [BIN, "check", "--format", "json", "--base-dir", str(path.parent), str(path)],
        capture_output=True,
        text=True,
        cwd=str(path.parent),
        check=False,
    )
    return json.loads(out.stdout)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options={"dsf-connections": {}},
        )
    )
    yield
    await lsp_client.shutdown_session()
