#!/usr/bin/env python3
"""A boto3 session against `ecrp emulator`, as an independent client would run it.

Run it by hand with a python that has boto3 and the path to a built ecrp, for example
`cargo build && python3 tests/interop/boto3_session.py target/debug/ecrp` (or set ECRP instead of
passing the path). It starts `ecrp emulator --seed empty` on a free loopback port, builds a
`boto3.client('ecr-public', endpoint_url=...)` with throwaway credentials (no ~/.aws file is read),
then walks every operation: registry and catalog data, repository create/describe/delete, the layer
upload flow, PutImage (Docker manifest, OCI index), the four paginators, resource tags, policies,
BatchDeleteImage failures and GetAuthorizationToken, checking values and error codes
(`e.response['Error']['Code']`). A second part runs the binary with `--synthetic big=2500 --state
FILE`, pages through the synthetic repository and checks that data survives a restart. It prints
one line per check, exits 1 if any failed, and always stops the emulators.
"""

import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import boto3
import botocore.config
from botocore.exceptions import ClientError

FAILURES = []


def check(name, actual, expected):
    if actual == expected:
        print(f"ok   - {name}", file=sys.stderr)
    else:
        FAILURES.append(name)
        print(f"FAIL - {name}: expected {expected!r}, got {actual!r}", file=sys.stderr)


def expect_error(name, code, fn, **kwargs):
    try:
        fn(**kwargs)
    except ClientError as e:
        check(f"{name} -> {code}", e.response["Error"]["Code"], code)
        if not e.response["Error"].get("Message"):
            check(f"{name} has a message", "", "a message")
        return
    check(f"{name} -> {code}", "success", code)


def digest(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def start_emulator(ecrp, workdir, *extra):
    out = open(os.path.join(workdir, "emu.out"), "w+")
    err = open(os.path.join(workdir, "emu.err"), "w+")
    proc = subprocess.Popen(
        [ecrp, "emulator", "--seed", "empty", "--addr", "127.0.0.1:0", *extra], stdout=out, stderr=err
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        out.seek(0)
        line = out.readline()
        if line.startswith("listening on http://") and line.endswith("\n"):
            return proc, line[len("listening on ") :].strip()
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    err.seek(0)
    raise SystemExit(f"emulator did not start: {err.read()}")


MIN_PART = 5 * 1024 * 1024  # every part but the last is at least 5 MiB


def upload(c, repo, data):
    uid = c.initiate_layer_upload(repositoryName=repo)["uploadId"]
    step = MIN_PART
    for first in range(0, len(data), step):
        chunk = data[first : first + step]
        r = c.upload_layer_part(
            repositoryName=repo,
            uploadId=uid,
            partFirstByte=first,
            partLastByte=first + len(chunk) - 1,
            layerPartBlob=chunk,
        )
        check("lastByteReceived", r["lastByteReceived"], first + len(chunk) - 1)
    d = digest(data)
    r = c.complete_layer_upload(repositoryName=repo, uploadId=uid, layerDigests=[d])
    check("complete layer digest", r["layerDigest"], d)
    return d


def manifest(cfg, layers, note):
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": cfg[1],
                "digest": cfg[0],
            },
            "layers": [
                {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": s, "digest": d}
                for d, s in layers
            ],
            "annotations": {"note": note},
        },
        separators=(",", ":"),
    )


def session(c):
    repo = "boto/app"
    # Registry.
    reg = c.describe_registries()["registries"][0]
    rid = reg["registryId"]
    check("registry id is 12 digits", (len(rid), rid.isdigit()), (12, True))
    check("registry ARN", reg["registryArn"], f"arn:aws:ecr-public::{rid}:registry/{rid}")
    primary = [a for a in reg["aliases"] if a["primaryRegistryAlias"]]
    check("one primary alias", len(primary), 1)
    check("alias ACTIVE", primary[0]["status"], "ACTIVE")
    check("registry URI", reg["registryUri"], "public.ecr.aws/" + primary[0]["name"])
    c.put_registry_catalog_data(displayName="Boto Org")
    check("display name", c.get_registry_catalog_data()["registryCatalogData"]["displayName"], "Boto Org")
    expect_error("display name too long", "InvalidParameterException", c.put_registry_catalog_data, displayName="x" * 101)

    # Repositories.
    logo = b"\x89PNG\r\n\x1a\nboto-logo"
    r = c.create_repository(
        repositoryName=repo,
        catalogData={
            "description": "Boto app",
            "aboutText": "# About",
            "usageText": "Use it",
            "architectures": ["ARM 64"],
            "operatingSystems": ["Linux"],
            "logoImageBlob": logo,
        },
        tags=[{"Key": "team", "Value": "boto"}],
    )
    arn = r["repository"]["repositoryArn"]
    check("repository ARN", arn, f"arn:aws:ecr-public::{rid}:repository/{repo}")
    check("repository URI", r["repository"]["repositoryUri"], f"{reg['registryUri']}/{repo}")
    check("created catalog", r["catalogData"]["description"], "Boto app")
    cat = c.get_repository_catalog_data(repositoryName=repo)["catalogData"]
    check("catalog round trip", (cat["aboutText"], cat["architectures"]), ("# About", ["ARM 64"]))
    check("logo URL", cat.get("logoUrl", "").startswith("http"), True)
    expect_error("duplicate", "RepositoryAlreadyExistsException", c.create_repository, repositoryName=repo)
    expect_error("bad name", "InvalidParameterException", c.create_repository, repositoryName="UPPER")
    expect_error("missing repo", "RepositoryNotFoundException", c.describe_repositories, repositoryNames=["nope"])
    expect_error(
        "names with maxResults", "InvalidParameterException", c.describe_repositories, repositoryNames=[repo], maxResults=5
    )
    expect_error(
        "description too long",
        "InvalidParameterException",
        c.put_repository_catalog_data,
        repositoryName=repo,
        catalogData={"description": "d" * 1025},
    )
    for i in range(6):
        c.create_repository(repositoryName=f"boto/extra-{i}")
    names = [
        r["repositoryName"]
        for p in c.get_paginator("describe_repositories").paginate(PaginationConfig={"PageSize": 2})
        for r in p["repositories"]
    ]
    check("repositories paginator", (len(names), len(set(names))), (7, 7))
    regs = [r for p in c.get_paginator("describe_registries").paginate() for r in p["registries"]]
    check("registries paginator", len(regs), 1)
    expect_error("maxResults 1001", "InvalidParameterException", c.describe_repositories, maxResults=1001)
    expect_error("garbage token", "InvalidParameterException", c.describe_repositories, nextToken="garbage")

    # Layers.
    cfg_bytes = b'{"architecture":"amd64","os":"linux"}'
    cfg = (upload(c, repo, cfg_bytes), len(cfg_bytes))
    l1 = bytes(range(256)) * (20480 + 30)  # two parts: 5 MiB and the rest
    l2 = b"boto layer " * 700
    layers = [(upload(c, repo, l1), len(l1)), (upload(c, repo, l2), len(l2))]
    avail = c.batch_check_layer_availability(repositoryName=repo, layerDigests=[layers[0][0], digest(b"none")])
    check("available layer", [(x["layerAvailability"], x["layerSize"]) for x in avail["layers"]], [("AVAILABLE", len(l1))])
    check("missing layer", [f["failureCode"] for f in avail["failures"]], ["MissingLayerDigest"])
    uid = c.initiate_layer_upload(repositoryName=repo)["uploadId"]
    expect_error("complete empty upload", "EmptyUploadException", c.complete_layer_upload, repositoryName=repo, uploadId=uid, layerDigests=[digest(b"")])
    c.upload_layer_part(repositoryName=repo, uploadId=uid, partFirstByte=0, partLastByte=3, layerPartBlob=b"abcd")
    expect_error(
        "part with a gap",
        "InvalidLayerPartException",
        c.upload_layer_part,
        repositoryName=repo,
        uploadId=uid,
        partFirstByte=10,
        partLastByte=13,
        layerPartBlob=b"efgh",
    )
    expect_error("wrong digest", "InvalidLayerException", c.complete_layer_upload, repositoryName=repo, uploadId=uid, layerDigests=[digest(b"zzzz")])
    expect_error(
        "unknown upload",
        "UploadNotFoundException",
        c.complete_layer_upload,
        repositoryName=repo,
        uploadId="00000000-0000-4000-8000-000000000000",
        layerDigests=[digest(b"x")],
    )
    uid = c.initiate_layer_upload(repositoryName=repo)["uploadId"]
    c.upload_layer_part(repositoryName=repo, uploadId=uid, partFirstByte=0, partLastByte=len(l2) - 1, layerPartBlob=l2)
    expect_error("layer exists", "LayerAlreadyExistsException", c.complete_layer_upload, repositoryName=repo, uploadId=uid, layerDigests=[layers[1][0]])

    # Images.
    digests, sizes = {}, {}
    for i in range(12):
        m = manifest(cfg, layers, f"n{i}")
        sizes[f"t{i:02}"] = len(m.encode())
        out = c.put_image(repositoryName=repo, imageManifest=m, imageTag=f"t{i:02}")
        digests[f"t{i:02}"] = out["image"]["imageId"]["imageDigest"]
        check(f"digest t{i:02}", digests[f"t{i:02}"], digest(m.encode()))
    m0 = manifest(cfg, layers, "n0")
    expect_error("same image and tag", "ImageAlreadyExistsException", c.put_image, repositoryName=repo, imageManifest=m0, imageTag="t00")
    expect_error(
        "digest mismatch", "ImageDigestDoesNotMatchException", c.put_image, repositoryName=repo, imageManifest=m0, imageTag="x", imageDigest=digest(b"x")
    )
    ghost = manifest(cfg, [(digest(b"ghost"), 5)], "ghost")
    expect_error("unknown layer", "LayersNotFoundException", c.put_image, repositoryName=repo, imageManifest=ghost, imageTag="ghost")
    detail = c.describe_images(repositoryName=repo, imageIds=[{"imageTag": "t00"}])["imageDetails"][0]
    check("image size", detail["imageSizeInBytes"], len(l1) + len(l2))
    check("image tags", detail["imageTags"], ["t00"])
    # Re-push moves a tag.
    moved = manifest(cfg, layers, "moved")
    c.put_image(repositoryName=repo, imageManifest=moved, imageTag="t00")
    check("tag moved", c.describe_images(repositoryName=repo, imageIds=[{"imageTag": "t00"}])["imageDetails"][0]["imageDigest"], digest(moved.encode()))
    old = c.describe_images(repositoryName=repo, imageIds=[{"imageDigest": digests["t00"]}])["imageDetails"][0]
    check("old image untagged", old.get("imageTags", []), [])
    # OCI index over two children.
    children = [{"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": sizes[t], "digest": digests[t], "platform": {"architecture": a, "os": "linux"}} for t, a in (("t01", "amd64"), ("t02", "arm64"))]
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": children})
    idx = c.put_image(repositoryName=repo, imageManifest=index, imageTag="multi")["image"]
    check("index media type", idx["imageManifestMediaType"], "application/vnd.oci.image.index.v1+json")
    bad_index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": children[:1] + [dict(children[0], digest=digest(b"nope"))]})
    expect_error("index to missing image", "ReferencedImagesNotFoundException", c.put_image, repositoryName=repo, imageManifest=bad_index, imageTag="bad")
    expect_error("describe missing image", "ImageNotFoundException", c.describe_images, repositoryName=repo, imageIds=[{"imageTag": "nope"}])

    # Paginators over images and tags (14 images, 13 tags).
    pages = list(c.get_paginator("describe_images").paginate(repositoryName=repo, PaginationConfig={"PageSize": 5}))
    imgs = [d["imageDigest"] for p in pages for d in p["imageDetails"]]
    check("images paginator", (len(imgs), len(set(imgs)), [len(p["imageDetails"]) for p in pages]), (14, 14, [5, 5, 4]))
    tags = [t["imageTag"] for p in c.get_paginator("describe_image_tags").paginate(repositoryName=repo, PaginationConfig={"PageSize": 4}) for t in p["imageTagDetails"]]
    check("tags paginator", sorted(tags), sorted([f"t{i:02}" for i in range(12)] + ["multi"]))
    first = c.describe_images(repositoryName=repo, maxResults=1)
    check("maxResults 1", (len(first["imageDetails"]), "nextToken" in first), (1, True))
    expect_error("images maxResults 1001", "InvalidParameterException", c.describe_images, repositoryName=repo, maxResults=1001)

    # Resource tags.
    c.tag_resource(resourceArn=arn, tags=[{"Key": "env", "Value": "dev"}])
    c.untag_resource(resourceArn=arn, tagKeys=["team"])
    check("tags", c.list_tags_for_resource(resourceArn=arn)["tags"], [{"Key": "env", "Value": "dev"}])
    expect_error("too many tags", "TooManyTagsException", c.tag_resource, resourceArn=arn, tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    expect_error("tag key too long", "InvalidTagParameterException", c.tag_resource, resourceArn=arn, tags=[{"Key": "k" * 129, "Value": "v"}])
    # A tag's Value is optional.
    c.tag_resource(resourceArn=arn, tags=[{"Key": "onlykey"}])
    check("tag without a value", sorted((t["Key"], t.get("Value", "")) for t in c.list_tags_for_resource(resourceArn=arn)["tags"]), [("env", "dev"), ("onlykey", "")])
    c.untag_resource(resourceArn=arn, tagKeys=["onlykey"])
    # Nested members are validated as the model says, naming the member.
    try:
        c.describe_images(repositoryName=repo, imageIds=[{"imageTag": "x" * 301}])
        check("imageTag of 301 characters in imageIds", "success", "InvalidParameterException")
    except ClientError as e:
        err = e.response["Error"]
        check("imageTag of 301 characters in imageIds", (err["Code"], "'imageIds.1.member.imageTag'" in err["Message"]), ("InvalidParameterException", True))
    expect_error("tags of missing repo", "RepositoryNotFoundException", c.list_tags_for_resource, resourceArn=f"arn:aws:ecr-public::{rid}:repository/none")

    # Policy.
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "s", "Effect": "Allow", "Principal": "*", "Action": ["ecr-public:PutImage"]}]})
    c.set_repository_policy(repositoryName=repo, policyText=policy)
    check("policy", json.loads(c.get_repository_policy(repositoryName=repo)["policyText"]), json.loads(policy))
    expect_error("invalid policy", "InvalidParameterException", c.set_repository_policy, repositoryName=repo, policyText="{nope")
    c.delete_repository_policy(repositoryName=repo)
    expect_error("get deleted policy", "RepositoryPolicyNotFoundException", c.get_repository_policy, repositoryName=repo)
    expect_error("delete deleted policy", "RepositoryPolicyNotFoundException", c.delete_repository_policy, repositoryName=repo)

    # Auth token.
    auth = c.get_authorization_token()["authorizationData"]
    check("token user", base64.b64decode(auth["authorizationToken"]).decode().split(":")[0], "AWS")
    hours = (auth["expiresAt"].timestamp() - time.time()) / 3600
    check("token valid about 12 h", 11.9 < hours < 12.1, True)

    # BatchDeleteImage.
    out = c.batch_delete_image(
        repositoryName=repo,
        imageIds=[{"imageTag": "t03"}, {"imageDigest": digests["t01"]}, {"imageTag": "gone"}, {"imageTag": "t04", "imageDigest": digests["t05"]}],
    )
    check("deleted", [i.get("imageTag") for i in out["imageIds"]], ["t03"])
    codes = sorted(f["failureCode"] for f in out["failures"])
    check("failure codes", codes, ["ImageNotFound", "ImageReferencedByManifestList", "ImageTagDoesNotMatchDigest"])
    expect_error("101 ids", "InvalidParameterException", c.batch_delete_image, repositoryName=repo, imageIds=[{"imageTag": f"x{i}"} for i in range(101)])

    # Repository deletion.
    expect_error("non-empty", "RepositoryNotEmptyException", c.delete_repository, repositoryName=repo)
    check("force delete", c.delete_repository(repositoryName=repo, force=True)["repository"]["repositoryName"], repo)
    expect_error("deleted repo", "RepositoryNotFoundException", c.describe_images, repositoryName=repo)
    check("repositories left", len(c.describe_repositories()["repositories"]), 6)


def client_for(url):
    return boto3.client(
        "ecr-public",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="AKIDBOTO3INTEROP0000",
        aws_secret_access_key="boto3-secret-not-real",
        config=botocore.config.Config(retries={"max_attempts": 1}),
    )


def stop(proc, name):
    proc.send_signal(signal.SIGTERM)
    check(f"{name} exits 0 on SIGTERM", proc.wait(timeout=15), 0)


def flags_session(ecrp, work):
    """`--synthetic REPO=COUNT` and `--state FILE` of the binary, seen through boto3."""
    state_dir = os.path.join(work, "state")
    os.mkdir(state_dir)
    state = os.path.join(state_dir, "state.json")
    proc, url = start_emulator(ecrp, work, "--synthetic", "big=2500", "--state", state)
    try:
        c = client_for(url)
        pages = list(c.get_paginator("describe_images").paginate(repositoryName="big", PaginationConfig={"PageSize": 1000}))
        digests = {d["imageDigest"] for p in pages for d in p["imageDetails"]}
        check("synthetic pages", ([len(p["imageDetails"]) for p in pages], len(digests)), ([1000, 1000, 500], 2500))
        c.create_repository(repositoryName="persisted")
        c.put_registry_catalog_data(displayName="Persisted Org")
        stop(proc, "stateful emulator")
    finally:
        if proc.poll() is None:
            proc.kill()
    proc, url = start_emulator(ecrp, work, "--state", state)
    try:
        c = client_for(url)
        names = [r["repositoryName"] for r in c.describe_repositories()["repositories"]]
        check("repository survives a restart", "persisted" in names, True)
        check("display name survives a restart", c.get_registry_catalog_data()["registryCatalogData"]["displayName"], "Persisted Org")
        stop(proc, "restarted emulator")
    finally:
        if proc.poll() is None:
            proc.kill()
    # No temporary files left behind: the state file and its blob directory only.
    check("only the state file and its blobs are left", sorted(os.listdir(state_dir)), ["state.json", "state.json.blobs"])


def main():
    ecrp = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("ECRP")
    if not ecrp:
        raise SystemExit("usage: boto3_session.py ECRP_BINARY (or set ECRP)")
    with tempfile.TemporaryDirectory() as work:
        # Throwaway config: no profile, credentials or endpoint from the environment or ~/.aws.
        for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECR_PUBLIC"):
            os.environ.pop(k, None)
        for k in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
            path = os.path.join(work, k.lower())
            open(path, "w").close()
            os.environ[k] = path
        proc, url = start_emulator(ecrp, work)
        try:
            print(f"emulator at {url}", file=sys.stderr)
            session(client_for(url))
            # The emulator stops on SIGINT and exits 0.
            proc.send_signal(signal.SIGINT)
            check("emulator exits 0 on SIGINT", proc.wait(timeout=15), 0)
        finally:
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        flags_session(ecrp, work)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed: {FAILURES}", file=sys.stderr)
        sys.exit(1)
    print("all boto3 checks passed")


if __name__ == "__main__":
    main()
