"""Schemathesis checks for ucap (loaded with SCHEMATHESIS_HOOKS=hooks from this directory).

The stock `not_a_server_error` check of GraphQL mode reports every field error that is not a
validation error as a server error, including the API's documented outcomes (NOT_FOUND for an
unknown ID, FORBIDDEN, CONFLICT). A server error here is what the issue means by one: a 5xx
status, or a GraphQL error the server classifies as its own failure (INTERNAL), or an error
without a code (an unmapped error that escaped the one error type).
"""

import json

import schemathesis

SERVER_FAILURES = {"INTERNAL"}


@schemathesis.check
def no_server_error(ctx, response, case):
    """No 5xx, no INTERNAL error, every error carries an extensions.code."""
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}")
    try:
        payload = json.loads(response.content)
    except ValueError as exc:
        raise AssertionError(f"the response is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise AssertionError("the response is not a JSON object")
    for error in payload.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code is None:
            raise AssertionError(f"an error without extensions.code: {error.get('message')}")
        if code in SERVER_FAILURES:
            raise AssertionError(f"{code}: {error.get('message')}")
    return None
