from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ArAppTokenOut")


@_attrs_define
class ArAppTokenOut:
    """An app token: a JWT for one project's image targets (scheme `ar_app`).

    Example:
        {'expires_at': '2026-12-06T10:00:00Z', 'id': 1, 'token': 'eyJhbGciOiJIUzI1NiJ9...'}

    Attributes:
        expires_at (datetime.datetime):
        id (int): The token's id, stable across `PUT`s.
        token (str): The JWT to send as `Authorization: Bearer <token>`.
    """

    expires_at: datetime.datetime
    id: int
    token: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        expires_at = self.expires_at.isoformat()

        id = self.id

        token = self.token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "expires_at": expires_at,
                "id": id,
                "token": token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        id = d.pop("id")

        token = d.pop("token")

        ar_app_token_out = cls(
            expires_at=expires_at,
            id=id,
            token=token,
        )

        ar_app_token_out.additional_properties = d
        return ar_app_token_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
