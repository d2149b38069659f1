from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.dealer_credentials import DealerCredentials
from ...models.dealer_error import DealerError
from ...models.dealer_token_out import DealerTokenOut
from ...types import Response


def _get_kwargs(
    *,
    body: DealerCredentials,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/dealer/auth",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DealerError | DealerTokenOut | None:
    if response.status_code == 200:
        response_200 = DealerTokenOut.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = DealerError.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = DealerError.from_dict(response.json())

        return response_401

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
) -> Response[DealerError | DealerTokenOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: DealerCredentials,
) -> Response[DealerError | DealerTokenOut]:
    """Authenticate: a JWT for `/stock` and `/auto/{mark}`.

    Args:
        body (DealerCredentials): Credentials to register or authenticate with. Example:
            {'password': 'Some password', 'username': 'Some user'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DealerError | DealerTokenOut]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: DealerCredentials,
) -> DealerError | DealerTokenOut | None:
    """Authenticate: a JWT for `/stock` and `/auto/{mark}`.

    Args:
        body (DealerCredentials): Credentials to register or authenticate with. Example:
            {'password': 'Some password', 'username': 'Some user'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DealerError | DealerTokenOut
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: DealerCredentials,
) -> Response[DealerError | DealerTokenOut]:
    """Authenticate: a JWT for `/stock` and `/auto/{mark}`.

    Args:
        body (DealerCredentials): Credentials to register or authenticate with. Example:
            {'password': 'Some password', 'username': 'Some user'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DealerError | DealerTokenOut]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: DealerCredentials,
) -> DealerError | DealerTokenOut | None:
    """Authenticate: a JWT for `/stock` and `/auto/{mark}`.

    Args:
        body (DealerCredentials): Credentials to register or authenticate with. Example:
            {'password': 'Some password', 'username': 'Some user'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DealerError | DealerTokenOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
