from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.todo_task_out import TodoTaskOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    limit: int | Unset = UNSET,
    offset: int | Unset = UNSET,
    after_id: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["offset"] = offset

    params["after_id"] = after_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/todo/tasks",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | list[TodoTaskOut] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = TodoTaskOut.from_dict(response_200_item_data)

            response_200.append(response_200_item)

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

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
) -> Response[Problem | list[TodoTaskOut]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = UNSET,
    offset: int | Unset = UNSET,
    after_id: int | Unset = UNSET,
) -> Response[Problem | list[TodoTaskOut]]:
    """List the caller's tasks, by id.

     Only the caller's own tasks, ordered by id; `limit` (1-1000, default 1000)
    and `offset` page through them, or `after_id` (the last id of the previous
    page), which stays as fast deep into a long list as on its first page.

    Args:
        limit (int | Unset):
        offset (int | Unset):
        after_id (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[TodoTaskOut]]
    """

    kwargs = _get_kwargs(
        limit=limit,
        offset=offset,
        after_id=after_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = UNSET,
    offset: int | Unset = UNSET,
    after_id: int | Unset = UNSET,
) -> Problem | list[TodoTaskOut] | None:
    """List the caller's tasks, by id.

     Only the caller's own tasks, ordered by id; `limit` (1-1000, default 1000)
    and `offset` page through them, or `after_id` (the last id of the previous
    page), which stays as fast deep into a long list as on its first page.

    Args:
        limit (int | Unset):
        offset (int | Unset):
        after_id (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[TodoTaskOut]
    """

    return sync_detailed(
        client=client,
        limit=limit,
        offset=offset,
        after_id=after_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = UNSET,
    offset: int | Unset = UNSET,
    after_id: int | Unset = UNSET,
) -> Response[Problem | list[TodoTaskOut]]:
    """List the caller's tasks, by id.

     Only the caller's own tasks, ordered by id; `limit` (1-1000, default 1000)
    and `offset` page through them, or `after_id` (the last id of the previous
    page), which stays as fast deep into a long list as on its first page.

    Args:
        limit (int | Unset):
        offset (int | Unset):
        after_id (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[TodoTaskOut]]
    """

    kwargs = _get_kwargs(
        limit=limit,
        offset=offset,
        after_id=after_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    limit: int | Unset = UNSET,
    offset: int | Unset = UNSET,
    after_id: int | Unset = UNSET,
) -> Problem | list[TodoTaskOut] | None:
    """List the caller's tasks, by id.

     Only the caller's own tasks, ordered by id; `limit` (1-1000, default 1000)
    and `offset` page through them, or `after_id` (the last id of the previous
    page), which stays as fast deep into a long list as on its first page.

    Args:
        limit (int | Unset):
        offset (int | Unset):
        after_id (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[TodoTaskOut]
    """

    return (
        await asyncio_detailed(
            client=client,
            limit=limit,
            offset=offset,
            after_id=after_id,
        )
    ).parsed
