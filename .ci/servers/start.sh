#!/usr/bin/env bash
# CI only: installs (if missing) and starts nginx (Debian's package) and oidc-provider (npm,
# pinned by package-lock.json) on 127.0.0.1, with a PKI made here by openssl. Writes
# STATE/env with the servers' addresses and secrets for the interop test; stop.sh STATE ends
# exactly the processes started here (by their pid files).
set -euo pipefail
STATE=${1:?usage: start.sh STATE_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$STATE"/{pki,www,tmp}
chmod 755 "$STATE" "$STATE/www"

if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ] || ! command -v openssl >/dev/null; then
    echo "installing nginx and openssl from Debian's packages"
    # keep the package's init script from starting a system nginx on port 80
    made_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        made_policy=1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx openssl >/dev/null
    if [ -n "$made_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# --- PKI: root → intermediate → server (localhost, 127.0.0.1); root → client (clientAuth) ---
cd "$STATE/pki"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
sign() { # csr-subject key out issuer-pem issuer-key extensions
    openssl req -new -key "$2" -subj "$1" -out "$3.csr"
    openssl x509 -req -in "$3.csr" -CA "$4" -CAkey "$5" -CAcreateserial -days 30 -sha256 \
        -extfile <(printf '%b' "$6") -out "$3" 2>/dev/null
}
key root.key
openssl req -x509 -new -key root.key -subj "/CN=DSF CI Root CA" -days 30 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out root.pem
key intermediate.key
sign "/CN=DSF CI Intermediate CA" intermediate.key intermediate.pem root.pem root.key \
    "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n"
key server.key
sign "/CN=localhost" server.key server.pem intermediate.pem intermediate.key \
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
cat server.pem intermediate.pem > server-chain.pem
key client.key
sign "/CN=dsf-ci-client" client.key client.pem root.pem root.key \
    "keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n"
P12_PASSWORD=$(openssl rand -hex 8)
openssl pkcs12 -export -inkey client.key -in client.pem -certfile root.pem -name client \
    -passout "pass:$P12_PASSWORD" -out client.p12
BASIC_PASSWORD=$(openssl rand -hex 12)
BEARER_TOKEN=$(openssl rand -hex 16)
OIDC_SECRET=$(openssl rand -hex 16)
printf 'ci-user:%s\n' "$(openssl passwd -apr1 "$BASIC_PASSWORD")" > htpasswd
chmod 644 htpasswd
rm -f ./*.csr

# --- free ports on 127.0.0.1 ---
read -r P_OPEN P_BASIC P_BEARER P_MTLS P_JWT P_OIDC < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
for s in socks:
    s.close()
PY
)

# --- nginx ---
printf '%s' '{"resourceType":"CapabilityStatement","status":"active","date":"2026-01-01","kind":"instance","fhirVersion":"4.0.1","format":["application/fhir+json"],"software":{"name":"nginx CI stand-in","version":"1.0"}}' > "$STATE/www/metadata.json"
chmod 644 "$STATE/www/metadata.json"
sed -e "s|@STATE@|$STATE|g" -e "s|@PKI@|$STATE/pki|g" -e "s|@BEARER_TOKEN@|$BEARER_TOKEN|g" \
    -e "s|@PORT_OPEN@|$P_OPEN|g" -e "s|@PORT_BASIC@|$P_BASIC|g" -e "s|@PORT_BEARER@|$P_BEARER|g" \
    -e "s|@PORT_MTLS@|$P_MTLS|g" -e "s|@PORT_JWT@|$P_JWT|g" \
    "$HERE/nginx.conf.template" > "$STATE/nginx.conf"
"$NGINX" -t -q -p "$STATE" -e "$STATE/nginx-error.log" -c "$STATE/nginx.conf"
"$NGINX" -p "$STATE" -e "$STATE/nginx-error.log" -c "$STATE/nginx.conf"

# --- oidc-provider ---
(cd "$HERE/oidc" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
OIDC_PORT=$P_OIDC OIDC_ISSUER="https://localhost:$P_OIDC" OIDC_AUDIENCE=urn:dsf:fhir \
    OIDC_CLIENT_ID=dsf-bpe OIDC_CLIENT_SECRET=$OIDC_SECRET \
    TLS_KEY="$STATE/pki/server.key" TLS_CERT="$STATE/pki/server-chain.pem" READY_FILE="$STATE/oidc.ready" \
    nohup node "$HERE/oidc/oidc.mjs" > "$STATE/oidc.log" 2>&1 &
echo $! > "$STATE/oidc.pid"
for _ in $(seq 100); do
    [ -s "$STATE/oidc.ready" ] && break
    kill -0 "$(cat "$STATE/oidc.pid")" 2>/dev/null || { cat "$STATE/oidc.log"; exit 1; }
    sleep 0.1
done
[ -s "$STATE/oidc.ready" ] || { echo "oidc-provider did not start"; cat "$STATE/oidc.log"; exit 1; }

cat > "$STATE/env" <<ENV
export DSF_CI_SERVERS=1
export DSF_CI_PKI_DIR=$STATE/pki
export DSF_CI_FHIR_OPEN=https://localhost:$P_OPEN/fhir
export DSF_CI_FHIR_BASIC=https://localhost:$P_BASIC/fhir
export DSF_CI_BASIC_USER=ci-user
export DSF_CI_BASIC_PASSWORD=$BASIC_PASSWORD
export DSF_CI_FHIR_BEARER=https://localhost:$P_BEARER/fhir
export DSF_CI_BEARER_TOKEN=$BEARER_TOKEN
export DSF_CI_FHIR_MTLS=https://localhost:$P_MTLS/fhir
export DSF_CI_P12_PASSWORD=$P12_PASSWORD
export DSF_CI_FHIR_JWT=https://localhost:$P_JWT/fhir
export DSF_CI_OIDC_BASE=https://localhost:$P_OIDC
export DSF_CI_OIDC_CLIENT_ID=dsf-bpe
export DSF_CI_OIDC_CLIENT_SECRET=$OIDC_SECRET
export DSF_CI_OIDC_AUDIENCE=urn:dsf:fhir
ENV
echo "CI servers up: nginx ($("$NGINX" -v 2>&1 | sed 's/.*: //')) on ports $P_OPEN $P_BASIC $P_BEARER $P_MTLS $P_JWT, oidc-provider $(node -p "require('$HERE/oidc/node_modules/oidc-provider/package.json').version") on $P_OIDC"
