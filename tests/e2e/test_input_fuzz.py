"""A bounded fuzz of the public HTTP endpoints: whatever arrives, never a 500, never a
traceback; and the odd messages consumers really send get a sensible answer."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.e2e

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)
MESSAGES = st.one_of(
    st.fixed_dictionaries(
        {"sender": st.text(min_size=1, max_size=20), "message": st.text(max_size=300)},
        optional={"metadata": JSON, "input_channel": JSON},
    ),
    st.fixed_dictionaries({}, optional={"sender": JSON, "message": JSON, "metadata": JSON}),
)
BODIES = st.one_of(
    st.binary(max_size=300),
    JSON.map(lambda value: json.dumps(value).encode()),
    MESSAGES.map(lambda value: json.dumps(value).encode()),
)
HEADERS = st.sampled_from(
    [{"Content-Type": "application/json"}, {}, {"Content-Type": "text/html"},
     {"Content-Type": "application/json; charset=latin-1"},
     {"Content-Type": "application/json", "X-Merci-Signature": "sha256=00"}]
)  # fmt: skip


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def assert_handled(status: int, answer: bytes) -> None:
    assert status < 500, answer[:300]
    assert b"Traceback" not in answer and b'File "' not in answer
    if status >= 400 and status != 413:  # Sanic's own 413 is plain text
        assert json.loads(answer)["error"]


@pytest.mark.parametrize("path", ["/webhooks/rest/webhook", "/webhooks/brand/events"])
@FUZZ
@given(body=BODIES, headers=HEADERS)
def test_no_body_gets_a_500_or_a_traceback(merci, path, body, headers):
    assert_handled(*post(f"{merci.url}{path}", body, headers))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "bonjour " * 1250,  # 10,000 characters: over the limit, refused with 413
        "😀🎉👍",
        "bon\x00jour\x00",
        "<script>alert('x')</script><b>bonjour</b>",
        "'; DROP TABLE consumers; --",
        "Robert'); DELETE FROM reviews WHERE ('1'='1",
    ],
)
def test_odd_messages_get_a_reply_or_a_clear_refusal(merci, text):
    body = json.dumps({"sender": "fuzz-odd", "message": text}).encode()
    status, answer = post(
        f"{merci.url}/webhooks/rest/webhook", body, {"Content-Type": "application/json"}
    )
    assert_handled(status, answer)
    if status == 200:
        assert isinstance(json.loads(answer), list)
    else:
        assert status == 413 and len(text) > 5000
