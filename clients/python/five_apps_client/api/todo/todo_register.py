from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.todo_credentials import TodoCredentials
from ...models.todo_user_out import TodoUserOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: TodoCredentials,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/todo/register",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | TodoUserOut | None:
    if response.status_code == 201:
        response_201 = TodoUserOut.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

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
) -> Response[Problem | TodoUserOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TodoCredentials,
    idempotency_key: str | Unset = UNSET,
) -> Response[Problem | TodoUserOut]:
    """Register a user.

     Usernames are unique within /todo (409 when taken); the password is stored
    only as an argon2id hash.

    Args:
        idempotency_key (str | Unset):
        body (TodoCredentials): Credentials to register or log in with. Example: {'password':
            'correct horse', 'username': 'alice'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TodoUserOut]
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
    body: TodoCredentials,
    idempotency_key: str | Unset = UNSET,
) -> Problem | TodoUserOut | None:
    """Register a user.

     Usernames are unique within /todo (409 when taken); the password is stored
    only as an argon2id hash.

    Args:
        idempotency_key (str | Unset):
        body (TodoCredentials): Credentials to register or log in with. Example: {'password':
            'correct horse', 'username': 'alice'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TodoUserOut
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TodoCredentials,
    idempotency_key: str | Unset = UNSET,
) -> Response[Problem | TodoUserOut]:
    """Register a user.

     Usernames are unique within /todo (409 when taken); the password is stored
    only as an argon2id hash.

    Args:
        idempotency_key (str | Unset):
        body (TodoCredentials): Credentials to register or log in with. Example: {'password':
            'correct horse', 'username': 'alice'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TodoUserOut]
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
    body: TodoCredentials,
    idempotency_key: str | Unset = UNSET,
) -> Problem | TodoUserOut | None:
    """Register a user.

     Usernames are unique within /todo (409 when taken); the password is stored
    only as an argon2id hash.

    Args:
        idempotency_key (str | Unset):
        body (TodoCredentials): Credentials to register or log in with. Example: {'password':
            'correct horse', 'username': 'alice'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TodoUserOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
