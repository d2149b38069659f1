"""Schemathesis hooks for `.ci/contract.sh`.

Every write takes an optional `Idempotency-Key`, and a key names one request:
the server answers 422 when a key comes back with another request, and
replays the first answer when it comes back with the same one. Schemathesis
draws the header from the document's one example or a small space of strings,
so it would send one key with many requests and judge the 422s and replays
against each case. The fuzzing therefore runs without the header (it is
optional); the keys' own rules, replays and 422s are tested through the
generated client in `tests/integration/idempotency/`.
"""

import schemathesis


def _is_idempotency_key(parameter):
    if parameter.get("$ref", "").endswith("/IdempotencyKey"):
        return True
    return parameter.get("in") == "header" and parameter.get("name", "").lower() == "idempotency-key"


@schemathesis.hook
def before_load_schema(ctx, raw_schema):
    for item in raw_schema.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "parameters" in operation:
                operation["parameters"] = [p for p in operation["parameters"] if not _is_idempotency_key(p)]
