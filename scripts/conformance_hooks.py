"""Schemathesis hooks of scripts/conformance.

Schemathesis draws header values from few short strings, so one Idempotency-Key comes back
in unrelated requests. The service answers a repeated key with the first answer, by design,
even when what that answer created has since been deleted; its check that a created
resource can be fetched then reports a replay of a deleted webhook as a resource that is not
there. A valid generated key therefore gets a suffix of its own, and stays valid (at most
255 printable ASCII characters); an invalid one is left as it is, so the refusals are still
tested. Replays themselves are tested where they are meant: tests/api/concurrency.rs and the
idempotency tests of the procedure.
"""

import uuid

import schemathesis

KEY = "Idempotency-Key"
MAX = 255


@schemathesis.hook
def map_headers(context, headers):
    key = (headers or {}).get(KEY)
    if isinstance(key, str) and key and len(key) <= MAX - 13 and all(33 <= ord(c) <= 126 for c in key):
        headers[KEY] = f"{key}-{uuid.uuid4().hex[:12]}"
    return headers
