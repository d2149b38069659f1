from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.exchange_link_out import ExchangeLinkOut
from ...models.exchange_send_in import ExchangeSendIn
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: ExchangeSendIn,
    token: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    params: dict[str, Any] = {}

    params["token"] = token

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/exchange/send",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ExchangeLinkOut | Problem | None:
    if response.status_code == 201:
        response_201 = ExchangeLinkOut.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

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

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ExchangeLinkOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: ExchangeSendIn,
    token: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[ExchangeLinkOut | Problem]:
    """Send an item: a confirmation link that only the recipient can follow.

     A newer link for the same item replaces the older ones.

    Args:
        token (str | Unset):
        idempotency_key (str | Unset):
        body (ExchangeSendIn): An item to hand to another user. Example: {'item_id': 1,
            'recipient': 'bob'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ExchangeLinkOut | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        token=token,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: ExchangeSendIn,
    token: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> ExchangeLinkOut | Problem | None:
    """Send an item: a confirmation link that only the recipient can follow.

     A newer link for the same item replaces the older ones.

    Args:
        token (str | Unset):
        idempotency_key (str | Unset):
        body (ExchangeSendIn): An item to hand to another user. Example: {'item_id': 1,
            'recipient': 'bob'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExchangeLinkOut | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
        token=token,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ExchangeSendIn,
    token: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[ExchangeLinkOut | Problem]:
    """Send an item: a confirmation link that only the recipient can follow.

     A newer link for the same item replaces the older ones.

    Args:
        token (str | Unset):
        idempotency_key (str | Unset):
        body (ExchangeSendIn): An item to hand to another user. Example: {'item_id': 1,
            'recipient': 'bob'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ExchangeLinkOut | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        token=token,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: ExchangeSendIn,
    token: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> ExchangeLinkOut | Problem | None:
    """Send an item: a confirmation link that only the recipient can follow.

     A newer link for the same item replaces the older ones.

    Args:
        token (str | Unset):
        idempotency_key (str | Unset):
        body (ExchangeSendIn): An item to hand to another user. Example: {'item_id': 1,
            'recipient': 'bob'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExchangeLinkOut | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            token=token,
            idempotency_key=idempotency_key,
        )
    ).parsed
