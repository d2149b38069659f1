from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.dealer_auto_in import DealerAutoIn
from ...models.dealer_error import DealerError
from ...models.dealer_message import DealerMessage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    mark: str,
    *,
    body: DealerAutoIn,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/dealer/auto/{mark}".format(
            mark=quote(str(mark), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DealerError | DealerMessage | None:
    if response.status_code == 201:
        response_201 = DealerMessage.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = DealerError.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = DealerError.from_dict(response.json())

        return response_401

    if response.status_code == 409:
        response_409 = DealerError.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = DealerError.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = DealerError.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = DealerError.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = DealerError.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = DealerError.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[DealerError | DealerMessage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    mark: str,
    *,
    client: AuthenticatedClient,
    body: DealerAutoIn,
    idempotency_key: str | Unset = UNSET,
) -> Response[DealerError | DealerMessage]:
    """Add an auto under a new mark.

    Args:
        mark (str):
        idempotency_key (str | Unset):
        body (DealerAutoIn): An auto's data (its mark is in the path). Example: {'distance': 400,
            'handler': 'Auto Motors', 'max_speed': 280, 'stock': 'Germany'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DealerError | DealerMessage]
    """

    kwargs = _get_kwargs(
        mark=mark,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    mark: str,
    *,
    client: AuthenticatedClient,
    body: DealerAutoIn,
    idempotency_key: str | Unset = UNSET,
) -> DealerError | DealerMessage | None:
    """Add an auto under a new mark.

    Args:
        mark (str):
        idempotency_key (str | Unset):
        body (DealerAutoIn): An auto's data (its mark is in the path). Example: {'distance': 400,
            'handler': 'Auto Motors', 'max_speed': 280, 'stock': 'Germany'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DealerError | DealerMessage
    """

    return sync_detailed(
        mark=mark,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    mark: str,
    *,
    client: AuthenticatedClient,
    body: DealerAutoIn,
    idempotency_key: str | Unset = UNSET,
) -> Response[DealerError | DealerMessage]:
    """Add an auto under a new mark.

    Args:
        mark (str):
        idempotency_key (str | Unset):
        body (DealerAutoIn): An auto's data (its mark is in the path). Example: {'distance': 400,
            'handler': 'Auto Motors', 'max_speed': 280, 'stock': 'Germany'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DealerError | DealerMessage]
    """

    kwargs = _get_kwargs(
        mark=mark,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    mark: str,
    *,
    client: AuthenticatedClient,
    body: DealerAutoIn,
    idempotency_key: str | Unset = UNSET,
) -> DealerError | DealerMessage | None:
    """Add an auto under a new mark.

    Args:
        mark (str):
        idempotency_key (str | Unset):
        body (DealerAutoIn): An auto's data (its mark is in the path). Example: {'distance': 400,
            'handler': 'Auto Motors', 'max_speed': 280, 'stock': 'Germany'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DealerError | DealerMessage
    """

    return (
        await asyncio_detailed(
            mark=mark,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
