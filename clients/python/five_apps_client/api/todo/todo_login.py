from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.todo_credentials import TodoCredentials
from ...models.todo_token_out import TodoTokenOut
from ...types import Response


def _get_kwargs(
    *,
    body: TodoCredentials,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/todo/login",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | TodoTokenOut | None:
    if response.status_code == 200:
        response_200 = TodoTokenOut.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

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
) -> Response[Problem | TodoTokenOut]:
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
) -> Response[Problem | TodoTokenOut]:
    """Log in: a bearer token for the /todo routes.

     Takes JSON, or the OAuth2 password form so that Swagger UI's Authorize works.
    The token (a JWT with `aud: todo`) is refused by every other app, and lives
    `ACCESS_TOKEN_TTL_SECONDS` (an hour by default) unless logged out.

    Args:
        body (TodoCredentials): Credentials to register or log in with. Example: {'password':
            'correct horse', 'username': 'alice'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TodoTokenOut]
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
    body: TodoCredentials,
) -> Problem | TodoTokenOut | None:
    """Log in: a bearer token for the /todo routes.

     Takes JSON, or the OAuth2 password form so that Swagger UI's Authorize works.
    The token (a JWT with `aud: todo`) is refused by every other app, and lives
    `ACCESS_TOKEN_TTL_SECONDS` (an hour by default) unless logged out.

    Args:
        body (TodoCredentials): Credentials to register or log in with. Example: {'password':
            'correct horse', 'username': 'alice'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TodoTokenOut
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: TodoCredentials,
) -> Response[Problem | TodoTokenOut]:
    """Log in: a bearer token for the /todo routes.

     Takes JSON, or the OAuth2 password form so that Swagger UI's Authorize works.
    The token (a JWT with `aud: todo`) is refused by every other app, and lives
    `ACCESS_TOKEN_TTL_SECONDS` (an hour by default) unless logged out.

    Args:
        body (TodoCredentials): Credentials to register or log in with. Example: {'password':
            'correct horse', 'username': 'alice'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TodoTokenOut]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: TodoCredentials,
) -> Problem | TodoTokenOut | None:
    """Log in: a bearer token for the /todo routes.

     Takes JSON, or the OAuth2 password form so that Swagger UI's Authorize works.
    The token (a JWT with `aud: todo`) is refused by every other app, and lives
    `ACCESS_TOKEN_TTL_SECONDS` (an hour by default) unless logged out.

    Args:
        body (TodoCredentials): Credentials to register or log in with. Example: {'password':
            'correct horse', 'username': 'alice'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TodoTokenOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
