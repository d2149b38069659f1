"""Hand-written (not generated): the SDK's retry layer, an httpx transport.

``RetryTransport`` gives every write (POST, PUT, PATCH, DELETE) an
``Idempotency-Key`` unless the caller set one (logins and logouts take none),
and sends a request again after a connection failure, a 503, a 429, or a 409
with ``Retry-After`` (the key's first request still running), with the same
key, at most ``retries`` times (default 3), waiting ``Retry-After`` when the
server gives it, else an exponential backoff. A write without a key is never
sent twice. Use it through ``retrying_client`` / ``retrying_authenticated_client``
or ``Client(..., httpx_args={"transport": RetryTransport()})``.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any, Callable

import httpx

from .client import AuthenticatedClient, Client

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SESSION_PATH = re.compile(r"/(login/?|logout|auth)$")


class RetryTransport(httpx.BaseTransport):
    """Retries safely around another transport (default ``httpx.HTTPTransport()``)."""

    def __init__(
        self,
        inner: httpx.BaseTransport | None = None,
        retries: int = 3,
        base_delay: float = 0.2,
        max_delay: float = 10.0,
        new_key: Callable[[], str] = lambda: str(uuid.uuid4()),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.inner = inner or httpx.HTTPTransport()
        self.retries = retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.new_key = new_key
        self.sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if (
            request.method in WRITES
            and "idempotency-key" not in request.headers
            and not SESSION_PATH.search(request.url.path)
        ):
            request.headers["Idempotency-Key"] = self.new_key()
        keyed = "idempotency-key" in request.headers
        may_retry = keyed or request.method not in WRITES
        request.read()  # the body is sent again as it was
        attempt = 0
        while True:
            try:
                response = self.inner.handle_request(request)
            except httpx.TransportError:
                if not may_retry or attempt >= self.retries:
                    raise
                self.sleep(self._backoff(attempt))
                attempt += 1
                continue
            if not may_retry or attempt >= self.retries or not self._retryable(response, keyed):
                return response
            wait = self._wait(response, attempt)
            response.close()
            self.sleep(wait)
            attempt += 1

    def close(self) -> None:
        self.inner.close()

    @staticmethod
    def _retryable(response: httpx.Response, keyed: bool) -> bool:
        if response.status_code in (429, 503):
            return True
        return response.status_code == 409 and keyed and "retry-after" in response.headers

    def _backoff(self, attempt: int) -> float:
        return min(self.max_delay, self.base_delay * 2**attempt)

    def _wait(self, response: httpx.Response, attempt: int) -> float:
        try:
            return min(self.max_delay, max(0.0, float(response.headers["retry-after"])))
        except (KeyError, ValueError):
            return self._backoff(attempt)


def retrying_client(base_url: str, retries: int = 3, **kwargs: Any) -> Client:
    """A ``Client`` (no token) with the retry layer."""
    return Client(base_url=base_url, httpx_args={"transport": RetryTransport(retries=retries)}, **kwargs)


def retrying_authenticated_client(base_url: str, token: str, retries: int = 3, **kwargs: Any) -> AuthenticatedClient:
    """An ``AuthenticatedClient`` (bearer token) with the retry layer."""
    return AuthenticatedClient(
        base_url=base_url, token=token, httpx_args={"transport": RetryTransport(retries=retries)}, **kwargs
    )
