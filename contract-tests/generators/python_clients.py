"""Every recorded answer of one Flink version through Python code other people's generators made from
its corrected spec: openapi-python-client (a client: each operation's own response parser) and
datamodel-code-generator (pydantic v2 models, unknown fields forbidden).

usage: python_clients.py SPEC FIXTURES OUT

SPEC: a corrected OpenAPI 3.1 document; FIXTURES: the version's recordings
(contract-tests/fixtures/<version>); OUT: a scratch directory for the generated code. Prints one line
per generator and each answer it failed on; exits 1 if any failed, 2 if a generator did.
Run by `cargo xtask generators` with the generators installed in a virtualenv.
"""

import importlib
import json
import pathlib
import subprocess
import sys
import traceback

import httpx
import pydantic
from openapi_python_client.strings import snake_case


def generate(spec: pathlib.Path, out: pathlib.Path) -> None:
    bin_dir = pathlib.Path(sys.executable).parent
    config = out / "openapi-python-client.yaml"
    config.write_text("post_hooks: []\n")
    commands = [
        [bin_dir / "openapi-python-client", "generate", "--path", spec, "--output-path",
         out / "opc", "--meta", "none", "--overwrite", "--config", config],
        [bin_dir / "datamodel-codegen", "--input", spec, "--input-file-type", "openapi",
         "--output", out / "pydantic_models.py", "--output-model-type", "pydantic_v2.BaseModel",
         "--extra-fields", "forbid", "--target-python-version", "3.11"],
    ]
    for command in commands:
        run = subprocess.run([str(c) for c in command], capture_output=True, text=True)
        # openapi-python-client says what it left out on stdout and still exits 0.
        said = run.stdout + run.stderr
        if run.returncode != 0 or "Unable to" in said or "Cannot parse" in said:
            print(f"{command[0].name} could not take {spec}:\n{said}")
            sys.exit(2)


def answers(fixtures: pathlib.Path):
    """(fixture, METHOD, /spec/{path}, status, content type, body) of every recorded answer."""
    for path in sorted(fixtures.rglob("*.json")):
        fixture = json.loads(path.read_text())
        # steps.json (the order of the steps) and exchanges outside any documented pair.
        endpoint = isinstance(fixture, dict) and fixture.get("endpoint")
        if not endpoint:
            continue
        method, route = endpoint.split(" ", 1)
        route = "/".join("{" + s[1:] + "}" if s.startswith(":") else s for s in route.split("/"))
        response = fixture["response"]
        yield (path.relative_to(fixtures), method.lower(), route, response["status"],
               response.get("content_type") or "", response.get("body"))


def answer_schema(operation: dict, status: int):
    """The operation's JSON schema for `status` (exact, else its class, else default); None: no body."""
    responses = operation.get("responses", {})
    answer = (responses.get(str(status)) or responses.get(f"{status // 100}XX")
              or responses.get("default"))
    return ((answer or {}).get("content") or {}).get("application/json", {}).get("schema")


def model_type(schema: dict, models):
    """The pydantic type of a response schema: a model, or a list or map of one; None: inline."""
    ref = schema.get("$ref")
    if ref:
        return getattr(models, ref.rsplit("/", 1)[1], None)
    if schema.get("type") == "array" and "$ref" in schema.get("items", {}):
        item = model_type(schema["items"], models)
        return item and list[item]
    return None


def main() -> None:
    spec_path, fixtures, out = (pathlib.Path(a) for a in sys.argv[1:4])
    out.mkdir(parents=True, exist_ok=True)
    generate(spec_path, out)
    spec = json.loads(spec_path.read_text())
    sys.path.insert(0, str(out))
    opc = importlib.import_module("opc")
    client = opc.Client(base_url="http://127.0.0.1", raise_on_unexpected_status=True)
    models = importlib.import_module("pydantic_models")
    tally = {"openapi-python-client": [0, []], "datamodel-code-generator": [0, []]}
    outside = 0
    for fixture, method, route, status, content_type, body in answers(fixtures):
        operation = spec["paths"].get(route, {}).get(method)
        if operation is None:
            outside += 1  # a path no version serves (the bad-input steps' 404s)
            continue
        content = json.dumps(body).encode() if content_type.startswith("application/json") else (
            (body or "").encode() if isinstance(body, str) else b"")
        # The client: the generated operation's own parser of what came back.
        module = importlib.import_module(
            f"opc.api.{snake_case(operation['tags'][0])}.{snake_case(operation['operationId'])}")
        seen = tally["openapi-python-client"]
        seen[0] += 1
        try:
            response = httpx.Response(status, content=content,
                                      headers={"content-type": content_type})
            module._parse_response(client=client, response=response)
        except Exception as e:  # noqa: BLE001 - any failure of generated code is the finding
            seen[1].append((fixture, status, f"{type(e).__name__}: {e}".splitlines()[0]))
        # The models: the answer's schema as a pydantic type, where the spec names one.
        schema = answer_schema(operation, status)
        target = schema and model_type(schema, models)
        if target is None or body is None:
            continue
        seen = tally["datamodel-code-generator"]
        seen[0] += 1
        try:
            pydantic.TypeAdapter(target).validate_python(body)
        except pydantic.ValidationError as e:
            first = e.errors()[0]
            where = "/".join(str(p) for p in first["loc"])
            seen[1].append((fixture, status, f"{where}: {first['msg']}"))
    failed = False
    for generator, (count, failures) in tally.items():
        print(f"{generator}: {count - len(failures)} of {count} recorded answers parse"
              f" ({outside} on paths the spec does not serve left out)")
        for fixture, status, error in failures:
            print(f"  {fixture} ({status}): {error}")
        failed |= bool(failures)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        sys.exit(2)
