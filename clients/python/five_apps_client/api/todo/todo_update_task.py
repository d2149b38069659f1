from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.todo_task_in import TodoTaskIn
from ...models.todo_task_out import TodoTaskOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    task_id: int,
    *,
    body: TodoTaskIn,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/todo/tasks/{task_id}".format(
            task_id=quote(str(task_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | TodoTaskOut | None:
    if response.status_code == 200:
        response_200 = TodoTaskOut.from_dict(response.json())

        return response_200

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
) -> Response[Problem | TodoTaskOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    task_id: int,
    *,
    client: AuthenticatedClient,
    body: TodoTaskIn,
    idempotency_key: str | Unset = UNSET,
) -> Response[Problem | TodoTaskOut]:
    """Replace a task.

     A full update: an absent `description` becomes null and an absent
    `completed` false. Another user's task answers 404.

    Args:
        task_id (int):
        idempotency_key (str | Unset):
        body (TodoTaskIn): A task to create, or the full new state of one (PUT). Example:
            {'completed': False, 'description': '2 litres', 'title': 'Buy milk'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TodoTaskOut]
    """

    kwargs = _get_kwargs(
        task_id=task_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    task_id: int,
    *,
    client: AuthenticatedClient,
    body: TodoTaskIn,
    idempotency_key: str | Unset = UNSET,
) -> Problem | TodoTaskOut | None:
    """Replace a task.

     A full update: an absent `description` becomes null and an absent
    `completed` false. Another user's task answers 404.

    Args:
        task_id (int):
        idempotency_key (str | Unset):
        body (TodoTaskIn): A task to create, or the full new state of one (PUT). Example:
            {'completed': False, 'description': '2 litres', 'title': 'Buy milk'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TodoTaskOut
    """

    return sync_detailed(
        task_id=task_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    task_id: int,
    *,
    client: AuthenticatedClient,
    body: TodoTaskIn,
    idempotency_key: str | Unset = UNSET,
) -> Response[Problem | TodoTaskOut]:
    """Replace a task.

     A full update: an absent `description` becomes null and an absent
    `completed` false. Another user's task answers 404.

    Args:
        task_id (int):
        idempotency_key (str | Unset):
        body (TodoTaskIn): A task to create, or the full new state of one (PUT). Example:
            {'completed': False, 'description': '2 litres', 'title': 'Buy milk'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TodoTaskOut]
    """

    kwargs = _get_kwargs(
        task_id=task_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    task_id: int,
    *,
    client: AuthenticatedClient,
    body: TodoTaskIn,
    idempotency_key: str | Unset = UNSET,
) -> Problem | TodoTaskOut | None:
    """Replace a task.

     A full update: an absent `description` becomes null and an absent
    `completed` false. Another user's task answers 404.

    Args:
        task_id (int):
        idempotency_key (str | Unset):
        body (TodoTaskIn): A task to create, or the full new state of one (PUT). Example:
            {'completed': False, 'description': '2 litres', 'title': 'Buy milk'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TodoTaskOut
    """

    return (
        await asyncio_detailed(
            task_id=task_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
