#!/usr/bin/env bash
# A realistic AWS CLI v1 session against `ecrp emulator`, as an independent client would run it.
# Run it by hand with the path to the aws binary and to a built ecrp, for example
#   cargo build && AWS=$(command -v aws) ECRP=target/debug/ecrp bash tests/interop/awscli_session.sh
# (PYTHON may name the python3 used for JSON checks; it defaults to python3). The script starts
# `$ECRP emulator --seed empty` on a free loopback port, points the CLI at it with --endpoint-url and
# throwaway credentials and config files (so nothing from ~/.aws interferes), then creates a
# repository with catalog data, uploads layers in parts, puts images, lists them page by page, moves
# a tag, edits resource tags and the repository policy, checks the modelled errors, batch-deletes
# images and force-deletes the repository. It prints one line per check, exits non-zero if any check
# failed, and always stops the emulator.
set -uo pipefail

: "${AWS:?set AWS to the aws CLI binary}"
: "${ECRP:?set ECRP to the ecrp binary}"
PY=${PYTHON:-python3}

work=$(mktemp -d)
EMU_PID=""
cleanup() {
    if [[ -n $EMU_PID ]]; then
        kill "$EMU_PID" 2>/dev/null
        wait "$EMU_PID" 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Throwaway identity and configuration: only these settings reach the CLI.
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_ECR_PUBLIC
export AWS_ACCESS_KEY_ID=AKIDINTEROPTEST00000 AWS_SECRET_ACCESS_KEY=interop-secret-not-real
export AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
export AWS_CONFIG_FILE=$work/aws-config AWS_SHARED_CREDENTIALS_FILE=$work/aws-credentials
: >"$AWS_CONFIG_FILE"
: >"$AWS_SHARED_CREDENTIALS_FILE"

"$ECRP" emulator --seed empty --addr 127.0.0.1:0 >"$work/emu.out" 2>"$work/emu.err" &
EMU_PID=$!
line=""
for _ in $(seq 1 300); do
    line=$(head -n 1 "$work/emu.out" 2>/dev/null || true)
    [[ $line == "listening on http://"* ]] && break
    if ! kill -0 "$EMU_PID" 2>/dev/null; then break; fi
    sleep 0.1
done
if [[ $line != "listening on http://"* ]]; then
    echo "FAIL: emulator did not print 'listening on http://HOST:PORT' (got: '$line')" >&2
    cat "$work/emu.err" >&2
    exit 1
fi
URL=${line#listening on }
echo "emulator at $URL"

# Checks also run inside command substitutions (subshells), so failures are counted in a file.
: >"$work/failures"
pass() { echo "ok   - $1" >&2; }
fail() {
    echo "FAIL - $1" >&2
    echo "$1" >>"$work/failures"
}
# check NAME ACTUAL EXPECTED
check() {
    if [[ $2 == "$3" ]]; then pass "$1"; else fail "$1: expected '$3', got '$2'"; fi
}
ecr() { "$AWS" ecr-public --endpoint-url "$URL" --region us-east-1 "$@"; }
# q ARGS...: run a call that must succeed, print its stdout.
q() {
    local out
    if ! out=$(ecr "$@" 2>"$work/last.err"); then
        fail "aws ecr-public $1 failed: $(tr '\n' ' ' <"$work/last.err")"
        return 1
    fi
    printf '%s' "$out"
}
# expect_error NAME CODE ARGS...: the call must fail with this error code.
expect_error() {
    local name=$1 code=$2
    shift 2
    if ecr "$@" >/dev/null 2>"$work/last.err"; then
        fail "$name: succeeded, expected $code"
    elif grep -q "($code)" "$work/last.err"; then
        pass "$name -> $code"
    else
        fail "$name: expected $code, got: $(tr '\n' ' ' <"$work/last.err")"
    fi
}
# json EXPR: evaluate a python expression over the JSON document on stdin (bound to `d`).
json() { "$PY" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
sha() { echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"; }

REPO=interop/web

# --- registry -----------------------------------------------------------------------------------
q describe-registries >"$work/reg.json"
reg_id=$(json 'd["registries"][0]["registryId"]' <"$work/reg.json")
[[ $reg_id =~ ^[0-9]{12}$ ]] && pass "registry id is 12 digits" || fail "registry id '$reg_id'"
alias=$(json '[a["name"] for a in d["registries"][0]["aliases"] if a["primaryRegistryAlias"]][0]' <"$work/reg.json")
check "registry URI" "$(json 'd["registries"][0]["registryUri"]' <"$work/reg.json")" "public.ecr.aws/$alias"
check "registry ARN" "$(json 'd["registries"][0]["registryArn"]' <"$work/reg.json")" "arn:aws:ecr-public::$reg_id:registry/$reg_id"
q put-registry-catalog-data --display-name "Interop Org" >/dev/null
check "registry display name" "$(q get-registry-catalog-data --query registryCatalogData.displayName --output text)" "Interop Org"

# --- repository with catalog data ---------------------------------------------------------------
logo_b64=$(printf '\x89PNG\r\n\x1a\ninterop-logo' | base64 | tr -d '\n')
cat >"$work/catalog.json" <<EOF
{"description": "Interop web app", "aboutText": "# About\\nA test.", "usageText": "docker pull it",
 "architectures": ["x86-64", "ARM 64"], "operatingSystems": ["Linux"], "logoImageBlob": "$logo_b64"}
EOF
q create-repository --repository-name "$REPO" --catalog-data "file://$work/catalog.json" \
    --tags Key=team,Value=web Key=env,Value=test >"$work/create.json"
check "created name" "$(json 'd["repository"]["repositoryName"]' <"$work/create.json")" "$REPO"
check "repository URI" "$(json 'd["repository"]["repositoryUri"]' <"$work/create.json")" "public.ecr.aws/$alias/$REPO"
ARN=$(json 'd["repository"]["repositoryArn"]' <"$work/create.json")
check "repository ARN" "$ARN" "arn:aws:ecr-public::$reg_id:repository/$REPO"
q get-repository-catalog-data --repository-name "$REPO" >"$work/cat.json"
check "catalog description" "$(json 'd["catalogData"]["description"]' <"$work/cat.json")" "Interop web app"
check "catalog architectures" "$(json '",".join(d["catalogData"]["architectures"])' <"$work/cat.json")" "x86-64,ARM 64"
logo_url=$(json 'd["catalogData"].get("logoUrl","")' <"$work/cat.json")
[[ $logo_url == http* ]] && pass "logo URL present" || fail "logo URL '$logo_url'"
expect_error "duplicate repository" RepositoryAlreadyExistsException create-repository --repository-name "$REPO"
expect_error "bad repository name" InvalidParameterException create-repository --repository-name "Bad_Name"
for extra in interop/api interop/worker; do q create-repository --repository-name "$extra" >/dev/null; done

# --- layers, uploaded in parts ------------------------------------------------------------------
MIN_PART=$((5 * 1024 * 1024)) # every part but the last is at least 5 MiB
upload() { # upload FILE -> prints digest; a 5 MiB part and the rest, or one part if smaller
    local file=$1 size half id d
    size=$(stat -c %s "$file")
    half=0
    ((size > MIN_PART)) && half=$MIN_PART
    head -c "$half" "$file" >"$work/part1"
    tail -c +$((half + 1)) "$file" >"$work/part2"
    id=$(q initiate-layer-upload --repository-name "$REPO" --query uploadId --output text) || return 1
    if ((half > 0)); then
        q upload-layer-part --repository-name "$REPO" --upload-id "$id" --part-first-byte 0 \
            --part-last-byte $((half - 1)) --layer-part-blob "fileb://$work/part1" >/dev/null || return 1
    fi
    last=$(q upload-layer-part --repository-name "$REPO" --upload-id "$id" --part-first-byte "$half" \
        --part-last-byte $((size - 1)) --layer-part-blob "fileb://$work/part2" --query lastByteReceived --output text)
    [[ $last == $((size - 1)) ]] || fail "lastByteReceived $last for $file"
    d=$(sha "$file")
    check "complete $(basename "$file")" "$(q complete-layer-upload --repository-name "$REPO" --upload-id "$id" --layer-digests "$d" --query layerDigest --output text)" "$d"
    echo "$d"
}
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' >"$work/config.json"
"$PY" -c "import sys; sys.stdout.buffer.write(bytes(range(256))*(20480+40))" >"$work/layer1.bin"
"$PY" -c "import sys; sys.stdout.buffer.write(b'interop layer two '*500)" >"$work/layer2.bin"
CFG=$(upload "$work/config.json")
L1=$(upload "$work/layer1.bin")
L2=$(upload "$work/layer2.bin")
CFG_SIZE=$(stat -c %s "$work/config.json")
L1_SIZE=$(stat -c %s "$work/layer1.bin")
L2_SIZE=$(stat -c %s "$work/layer2.bin")
missing=sha256:$(printf 'missing' | sha256sum | cut -d' ' -f1)
q batch-check-layer-availability --repository-name "$REPO" --layer-digests "$L1" "$missing" >"$work/check.json"
check "layer available" "$(json '[(l["layerAvailability"], l["layerSize"]) for l in d["layers"]]' <"$work/check.json")" "[('AVAILABLE', $L1_SIZE)]"
check "missing layer" "$(json '[f["failureCode"] for f in d["failures"]]' <"$work/check.json")" "['MissingLayerDigest']"
id=$(q initiate-layer-upload --repository-name "$REPO" --query uploadId --output text)
printf 'xyz' >"$work/tiny"
q upload-layer-part --repository-name "$REPO" --upload-id "$id" --part-first-byte 0 --part-last-byte 2 --layer-part-blob "fileb://$work/tiny" >/dev/null
expect_error "wrong layer digest" InvalidLayerException complete-layer-upload --repository-name "$REPO" --upload-id "$id" --layer-digests "$missing"

# --- images -------------------------------------------------------------------------------------
manifest() { # manifest NOTE FILE
    printf '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":%s,"digest":"%s"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":%s,"digest":"%s"},{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":%s,"digest":"%s"}],"annotations":{"note":"%s"}}' \
        "$CFG_SIZE" "$CFG" "$L1_SIZE" "$L1" "$L2_SIZE" "$L2" "$1" >"$2"
}
declare -A DIGEST
for v in v1 v2 v3 v4 v5; do
    manifest "$v" "$work/m-$v.json"
    want=$(sha "$work/m-$v.json")
    got=$(q put-image --repository-name "$REPO" --image-manifest "file://$work/m-$v.json" --image-tag "$v" --query image.imageId.imageDigest --output text)
    check "put-image $v digest" "$got" "$want"
    DIGEST[$v]=$want
done
check "image size is the layers' sum" "$(q describe-images --repository-name "$REPO" --image-ids imageTag=v1 --query 'imageDetails[0].imageSizeInBytes' --output text)" "$((L1_SIZE + L2_SIZE))"
expect_error "same digest and tag" ImageAlreadyExistsException put-image --repository-name "$REPO" --image-manifest "file://$work/m-v1.json" --image-tag v1
expect_error "digest mismatch" ImageDigestDoesNotMatchException put-image --repository-name "$REPO" --image-manifest "file://$work/m-v1.json" --image-tag v9 --image-digest "$missing"
printf '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7,"digest":"%s"},"layers":[]}' "$missing" >"$work/ghost.json"
expect_error "unknown layers" LayersNotFoundException put-image --repository-name "$REPO" --image-manifest "file://$work/ghost.json" --image-tag ghost

# Pagination: the CLI walks every page, and --max-items/--starting-token resume where they stopped.
# (JSON output: with --output text the CLI applies --query to each page separately.)
check "all images" "$(q describe-images --repository-name "$REPO" --page-size 2 | json 'len(d["imageDetails"])')" "5"
q describe-images --repository-name "$REPO" --max-items 2 --page-size 1 >"$work/p1.json"
check "page 1 size" "$(json 'len(d["imageDetails"])' <"$work/p1.json")" "2"
tok=$(json 'd.get("NextToken","")' <"$work/p1.json")
[[ -n $tok ]] && pass "page 1 has a NextToken" || fail "page 1 has no NextToken"
q describe-images --repository-name "$REPO" --max-items 2 --page-size 1 --starting-token "$tok" >"$work/p2.json"
tok=$(json 'd.get("NextToken","")' <"$work/p2.json")
q describe-images --repository-name "$REPO" --max-items 2 --page-size 1 --starting-token "$tok" >"$work/p3.json"
check "last page has no NextToken" "$(json 'd.get("NextToken","none")' <"$work/p3.json")" "none"
distinct=$("$PY" -c "import json,sys; print(len({i['imageDigest'] for f in sys.argv[1:] for i in json.load(open(f))['imageDetails']}))" \
    "$work/p1.json" "$work/p2.json" "$work/p3.json")
check "paged images distinct, no gaps" "$distinct" "5"
check "repositories paged" "$(q describe-repositories --page-size 1 | json 'len(d["repositories"])')" "3"
q describe-repositories --max-items 2 >"$work/r1.json"
check "repositories max-items" "$(json '(len(d["repositories"]), bool(d.get("NextToken")))' <"$work/r1.json")" "(2, True)"
check "image tags" "$(q describe-image-tags --repository-name "$REPO" --page-size 2 | json '",".join(sorted(t["imageTag"] for t in d["imageTagDetails"]))')" "v1,v2,v3,v4,v5"
expect_error "maxResults over 1000" InvalidParameterException describe-images --repository-name "$REPO" --page-size 1001

# A re-push moves the tag.
manifest "v1-rebuilt" "$work/m-v1b.json"
q put-image --repository-name "$REPO" --image-manifest "file://$work/m-v1b.json" --image-tag v1 >/dev/null
check "tag v1 moved" "$(q describe-images --repository-name "$REPO" --image-ids imageTag=v1 --query 'imageDetails[0].imageDigest' --output text)" "$(sha "$work/m-v1b.json")"
check "old image untagged" "$(q describe-images --repository-name "$REPO" --image-ids "imageDigest=${DIGEST[v1]}" --query 'length(imageDetails[0].imageTags || `[]`)' --output text)" "0"

# --- resource tags ------------------------------------------------------------------------------
check "initial tags" "$(q list-tags-for-resource --resource-arn "$ARN" --query 'sort(tags[].Key)' --output text)" "$(printf 'env\tteam')"
q tag-resource --resource-arn "$ARN" --tags Key=owner,Value=alice >/dev/null
# A tag's Value is optional: the CLI's shorthand `Key=onlykey` sends a tag without one.
q tag-resource --resource-arn "$ARN" --tags Key=onlykey >/dev/null
check "tag without a value" "$(q list-tags-for-resource --resource-arn "$ARN" --query "tags[?Key=='onlykey'] | [0].Value" --output text)" ""
q untag-resource --resource-arn "$ARN" --tag-keys onlykey >/dev/null
q create-repository --repository-name interop/keyonly --tags Key=onlykey >/dev/null
check "create with a tag without a value" "$(q list-tags-for-resource --resource-arn "arn:aws:ecr-public::$reg_id:repository/interop/keyonly" --query 'tags[0].Key' --output text)" "onlykey"
expect_error "imageTag of 301 characters in imageIds" InvalidParameterException describe-images --repository-name "$REPO" --image-ids "imageTag=$(printf 'x%.0s' $(seq 301))"
q untag-resource --resource-arn "$ARN" --tag-keys env >/dev/null
check "tags after tag/untag" "$(q list-tags-for-resource --resource-arn "$ARN" --query 'sort(tags[].Key)' --output text)" "$(printf 'owner\tteam')"
expect_error "tags on a missing repository" RepositoryNotFoundException list-tags-for-resource --resource-arn "arn:aws:ecr-public::$reg_id:repository/missing"

# --- policy -------------------------------------------------------------------------------------
printf '{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":"*","Action":["ecr-public:BatchCheckLayerAvailability"]}]}' >"$work/policy.json"
q set-repository-policy --repository-name "$REPO" --policy-text "file://$work/policy.json" >/dev/null
check "policy round trip" "$(q get-repository-policy --repository-name "$REPO" --query policyText --output text | json 'd["Statement"][0]["Sid"]')" "pull"
expect_error "invalid policy" InvalidParameterException set-repository-policy --repository-name "$REPO" --policy-text "{not json"
q delete-repository-policy --repository-name "$REPO" >/dev/null
expect_error "policy after delete" RepositoryPolicyNotFoundException get-repository-policy --repository-name "$REPO"

# --- auth token ---------------------------------------------------------------------------------
token=$(q get-authorization-token --query authorizationData.authorizationToken --output text | base64 -d)
check "authorization token user" "${token%%:*}" "AWS"
# The CLI's own `get-login-password` (for `docker login`) decodes a token (each call may mint a new one).
password=$(q get-login-password)
[[ -n $password && $password != *[[:space:]]* ]] && pass "get-login-password" || fail "get-login-password '$password'"

# --- batch delete and repository deletion -------------------------------------------------------
q batch-delete-image --repository-name "$REPO" --image-ids imageTag=v2 "imageDigest=$missing" >"$work/bd.json"
check "batch delete deleted" "$(json 'len(d["imageIds"])' <"$work/bd.json")" "1"
check "batch delete failure" "$(json 'd["failures"][0]["failureCode"]' <"$work/bd.json")" "ImageNotFound"
check "images left" "$(q describe-images --repository-name "$REPO" --query 'length(imageDetails)' --output text)" "5"
expect_error "non-empty repository" RepositoryNotEmptyException delete-repository --repository-name "$REPO"
check "force delete" "$(q delete-repository --repository-name "$REPO" --force --query repository.repositoryName --output text)" "$REPO"
expect_error "deleted repository" RepositoryNotFoundException describe-repositories --repository-names "$REPO"
check "repositories left" "$(q describe-repositories | json 'len(d["repositories"])')" "3"

# The emulator stops on SIGTERM and exits 0.
kill -TERM "$EMU_PID"
wait "$EMU_PID"
check "emulator exits 0 on SIGTERM" "$?" "0"
EMU_PID=""

failures=$(wc -l <"$work/failures")
if ((failures > 0)); then
    echo "$failures check(s) failed:" >&2
    cat "$work/failures" >&2
    exit 1
fi
echo "all AWS CLI checks passed"
