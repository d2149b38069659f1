from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.shop_webhook_in import ShopWebhookIn
from ...models.shop_webhook_out import ShopWebhookOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: ShopWebhookIn,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/shop/payment/webhook",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | ShopWebhookOut | None:
    if response.status_code == 200:
        response_200 = ShopWebhookOut.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | ShopWebhookOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ShopWebhookIn,
    idempotency_key: str | Unset = UNSET,
) -> Response[Problem | ShopWebhookOut]:
    """Credit a bill: the payment service's signed webhook.

     `signature` is the hex SHA-1 of `{private_key}:{transaction_id}:{user_id}:{bill_id}:{amount}`
    with `amount` exactly as written in the body (`100`, `100.50`, or a string's content
    without its quotes); the example is signed with the key `test-payment-key`:
    `sha1("test-payment-key:1234567:1:1:100")`. A bill that does not exist yet is created
    for the user with that id. A `transaction_id` is credited once: a repeat answers 200
    with the first result and moves nothing; a repeat with another user, bill or amount is 409.
    Not rate limited per client. A server without a payment key answers 503
    "the payment webhook is not configured".

    Args:
        idempotency_key (str | Unset):
        body (ShopWebhookIn): A credit announced by the payment service.

            `signature` is the hex SHA-1 of
            `{private_key}:{transaction_id}:{user_id}:{bill_id}:{amount}`, with `amount`
            exactly as written in this JSON (a string's content without its quotes).
            The example is signed with the key `test-payment-key`:
            `sha1("test-payment-key:1234567:1:1:100")` =
            `aa4f246f173820d0d3246214f96faa8fd966cacd`. Example: {'amount': 100, 'bill_id': 1,
            'signature': 'aa4f246f173820d0d3246214f96faa8fd966cacd', 'transaction_id': 1234567,
            'user_id': 1}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ShopWebhookOut]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: ShopWebhookIn,
    idempotency_key: str | Unset = UNSET,
) -> Problem | ShopWebhookOut | None:
    """Credit a bill: the payment service's signed webhook.

     `signature` is the hex SHA-1 of `{private_key}:{transaction_id}:{user_id}:{bill_id}:{amount}`
    with `amount` exactly as written in the body (`100`, `100.50`, or a string's content
    without its quotes); the example is signed with the key `test-payment-key`:
    `sha1("test-payment-key:1234567:1:1:100")`. A bill that does not exist yet is created
    for the user with that id. A `transaction_id` is credited once: a repeat answers 200
    with the first result and moves nothing; a repeat with another user, bill or amount is 409.
    Not rate limited per client. A server without a payment key answers 503
    "the payment webhook is not configured".

    Args:
        idempotency_key (str | Unset):
        body (ShopWebhookIn): A credit announced by the payment service.

            `signature` is the hex SHA-1 of
            `{private_key}:{transaction_id}:{user_id}:{bill_id}:{amount}`, with `amount`
            exactly as written in this JSON (a string's content without its quotes).
            The example is signed with the key `test-payment-key`:
            `sha1("test-payment-key:1234567:1:1:100")` =
            `aa4f246f173820d0d3246214f96faa8fd966cacd`. Example: {'amount': 100, 'bill_id': 1,
            'signature': 'aa4f246f173820d0d3246214f96faa8fd966cacd', 'transaction_id': 1234567,
            'user_id': 1}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ShopWebhookOut
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ShopWebhookIn,
    idempotency_key: str | Unset = UNSET,
) -> Response[Problem | ShopWebhookOut]:
    """Credit a bill: the payment service's signed webhook.

     `signature` is the hex SHA-1 of `{private_key}:{transaction_id}:{user_id}:{bill_id}:{amount}`
    with `amount` exactly as written in the body (`100`, `100.50`, or a string's content
    without its quotes); the example is signed with the key `test-payment-key`:
    `sha1("test-payment-key:1234567:1:1:100")`. A bill that does not exist yet is created
    for the user with that id. A `transaction_id` is credited once: a repeat answers 200
    with the first result and moves nothing; a repeat with another user, bill or amount is 409.
    Not rate limited per client. A server without a payment key answers 503
    "the payment webhook is not configured".

    Args:
        idempotency_key (str | Unset):
        body (ShopWebhookIn): A credit announced by the payment service.

            `signature` is the hex SHA-1 of
            `{private_key}:{transaction_id}:{user_id}:{bill_id}:{amount}`, with `amount`
            exactly as written in this JSON (a string's content without its quotes).
            The example is signed with the key `test-payment-key`:
            `sha1("test-payment-key:1234567:1:1:100")` =
            `aa4f246f173820d0d3246214f96faa8fd966cacd`. Example: {'amount': 100, 'bill_id': 1,
            'signature': 'aa4f246f173820d0d3246214f96faa8fd966cacd', 'transaction_id': 1234567,
            'user_id': 1}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ShopWebhookOut]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: ShopWebhookIn,
    idempotency_key: str | Unset = UNSET,
) -> Problem | ShopWebhookOut | None:
    """Credit a bill: the payment service's signed webhook.

     `signature` is the hex SHA-1 of `{private_key}:{transaction_id}:{user_id}:{bill_id}:{amount}`
    with `amount` exactly as written in the body (`100`, `100.50`, or a string's content
    without its quotes); the example is signed with the key `test-payment-key`:
    `sha1("test-payment-key:1234567:1:1:100")`. A bill that does not exist yet is created
    for the user with that id. A `transaction_id` is credited once: a repeat answers 200
    with the first result and moves nothing; a repeat with another user, bill or amount is 409.
    Not rate limited per client. A server without a payment key answers 503
    "the payment webhook is not configured".

    Args:
        idempotency_key (str | Unset):
        body (ShopWebhookIn): A credit announced by the payment service.

            `signature` is the hex SHA-1 of
            `{private_key}:{transaction_id}:{user_id}:{bill_id}:{amount}`, with `amount`
            exactly as written in this JSON (a string's content without its quotes).
            The example is signed with the key `test-payment-key`:
            `sha1("test-payment-key:1234567:1:1:100")` =
            `aa4f246f173820d0d3246214f96faa8fd966cacd`. Example: {'amount': 100, 'bill_id': 1,
            'signature': 'aa4f246f173820d0d3246214f96faa8fd966cacd', 'transaction_id': 1234567,
            'user_id': 1}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ShopWebhookOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
