from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.dealer_auto_out import DealerAutoOut
from ...models.dealer_error import DealerError
from ...types import Response


def _get_kwargs(
    mark: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/dealer/auto/{mark}".format(
            mark=quote(str(mark), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DealerAutoOut | DealerError | None:
    if response.status_code == 200:
        response_200 = DealerAutoOut.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = DealerError.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = DealerError.from_dict(response.json())

        return response_404

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
) -> Response[DealerAutoOut | DealerError]:
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
) -> Response[DealerAutoOut | DealerError]:
    """One auto, by mark.

    Args:
        mark (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DealerAutoOut | DealerError]
    """

    kwargs = _get_kwargs(
        mark=mark,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    mark: str,
    *,
    client: AuthenticatedClient,
) -> DealerAutoOut | DealerError | None:
    """One auto, by mark.

    Args:
        mark (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DealerAutoOut | DealerError
    """

    return sync_detailed(
        mark=mark,
        client=client,
    ).parsed


async def asyncio_detailed(
    mark: str,
    *,
    client: AuthenticatedClient,
) -> Response[DealerAutoOut | DealerError]:
    """One auto, by mark.

    Args:
        mark (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DealerAutoOut | DealerError]
    """

    kwargs = _get_kwargs(
        mark=mark,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    mark: str,
    *,
    client: AuthenticatedClient,
) -> DealerAutoOut | DealerError | None:
    """One auto, by mark.

    Args:
        mark (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DealerAutoOut | DealerError
    """

    return (
        await asyncio_detailed(
            mark=mark,
            client=client,
        )
    ).parsed
